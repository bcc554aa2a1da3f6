import type { Clock } from '@debbie/model';

/** Resolves after `ms` of the clock's time (simulated or real). */
export function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimer(ms, resolve));
}

/** The optional SimClock hooks; on other clocks they are absent and these helpers do nothing. */
interface SimHooks {
  hold(): () => void;
  messageSent(channel: string): void;
  messageReceived(channel: string): void;
  openChannel(channel: string): void;
  closeChannel(channel: string): void;
  markActivity(): void;
}

function hooks(clock: Clock): Partial<SimHooks> {
  return clock as Partial<SimHooks>;
}

/** Holds a SimClock while real I/O is pending; a no-op on other clocks. */
export function holdClock(clock: Clock): () => void {
  const h = hooks(clock);
  return typeof h.hold === 'function' ? h.hold.call(clock) : () => {};
}

/** Socket message accounting on a SimClock; a no-op on other clocks. */
export function clockMessage(clock: Clock, direction: 'sent' | 'received', channel: string): void {
  const h = hooks(clock);
  if (direction === 'sent') h.messageSent?.call(clock, channel);
  else h.messageReceived?.call(clock, channel);
}

export function openClockChannel(clock: Clock, channel: string): void {
  hooks(clock).openChannel?.call(clock, channel);
}

export function closeClockChannel(clock: Clock, channel: string): void {
  hooks(clock).closeChannel?.call(clock, channel);
}
