import { createDebbie, type CreateDebbieOptions, type Debbie } from '@debbie/sdk';
import { systemClock, type Clock } from '@debbie/model';
import { SimServer, type SimServerOptions } from './server/SimServer.js';

export interface StartSimServerOptions extends Omit<SimServerOptions, 'logger' | 'clock'> {
  /** Default: the wall clock (a live server; pass a SimClock for simulated time). */
  clock?: Clock;
  /** Options for the server's own Debbie (serviceName defaults to "aiwhisperer-sim"). */
  debbie?: Omit<CreateDebbieOptions, 'clock'>;
}

/**
 * Starts a standalone simulator server for live use (e.g. `debbie tail` against a real client).
 * Close both: `await server.close(); await debbie.shutdown();`
 */
export async function startSimServer(options: StartSimServerOptions = {}): Promise<{ server: SimServer; debbie: Debbie; url: string }> {
  const clock = options.clock ?? systemClock;
  const debbie = createDebbie({ serviceName: 'aiwhisperer-sim', ...options.debbie, clock });
  const server = await SimServer.start({ ...options, logger: debbie.logger, clock });
  return { server, debbie, url: server.url };
}
