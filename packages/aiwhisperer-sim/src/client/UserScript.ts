import { context, trace } from '@opentelemetry/api';
import { ATTR, type Clock } from '@debbie/model';
import { getDebbieContext, type DebbieLogger } from '@debbie/sdk';
import { sleep } from '../clock/sleep.js';
import { RpcError } from '../protocol/jsonrpc.js';
import type { SessionPlan, UserAction } from '../script.js';
import type { TruthRecorder } from '../truth/TruthRecorder.js';
import { RequestTimeoutError, SimClient } from './SimClient.js';

export interface UserScriptOptions {
  url: string;
  clock: Clock;
  logger: DebbieLogger;
  truth: TruthRecorder;
  plan: SessionPlan;
}

/** Quiet time after the last message before the user stops the session. */
const FINAL_QUIET_MS = 3_000;

/**
 * The scripted user (source user_script): connects, starts a session, types messages when the
 * agent has been quiet long enough, and stops. Each message is a `user turn` span whose trace
 * context travels to the server in params._meta, so the whole turn is one trace.
 */
export class UserScript {
  private client!: SimClient;
  private sessionId = '';
  private turn = 0;
  private rpcs = 0;

  constructor(private readonly o: UserScriptOptions) {}

  /** Runs the plan to the end; resolves with the session id. */
  async run(): Promise<string> {
    const { o } = this;
    await sleep(o.clock, o.plan.startDelayMs);
    this.client = await SimClient.connect(o.url, { clock: o.clock, requestTimeoutMs: o.plan.requestTimeoutMs ?? 30_000 });
    this.client.onUnmatchedResponse((response) => {
      o.logger.log({
        source: 'user_script',
        level: 'WARNING',
        component: 'json_rpc_service',
        action: 'late_response',
        message: `Response for request ${String(response.id)} arrived after its timeout`,
        ...(this.sessionId ? { session_id: this.sessionId } : {}),
        details: { rpc_request_id: String(response.id), ...(response.error ? { error_code: response.error.code } : {}) },
      });
    });
    const started = await o.logger.span(
      {
        source: 'user_script',
        component: 'user_script',
        action: 'start_session',
        correlation_id: `${o.plan.userId}-start`,
        details: { user_id: o.plan.userId, language: o.plan.language },
      },
      async (span) => {
        const result = await this.client.request<{ sessionId: string; status: number }>(
          'startSession',
          { userId: o.plan.userId, sessionParams: { language: o.plan.language } },
          { meta: this.meta() },
        );
        span.setDetails({ status: result.status });
        span.otelSpan.setAttribute(ATTR.SESSION_ID, result.sessionId);
        return result;
      },
    );
    this.sessionId = started.sessionId;
    await o.logger.withContext({ sessionId: this.sessionId }, async () => {
      for (const action of o.plan.actions) await this.perform(action);
      await this.waitForSilence(FINAL_QUIET_MS);
      await o.logger.span({ source: 'user_script', component: 'user_script', action: 'stop_session', correlation_id: this.nextRpcCorrelation() }, () =>
        this.client.request('stopSession', { sessionId: this.sessionId }, { meta: this.meta() }),
      );
    });
    await this.client.close();
    return this.sessionId;
  }

  private async perform(action: UserAction): Promise<void> {
    const { o } = this;
    switch (action.kind) {
      case 'say':
        await this.say(action);
        return;
      case 'rpc':
        await sleep(o.clock, action.afterMs ?? 0);
        await o.logger.span(
          {
            source: 'user_script',
            component: 'user_script',
            action: action.method,
            correlation_id: this.nextRpcCorrelation(),
            details: { rpc_method: action.method },
          },
          async (span) => {
            try {
              const result = await this.client.request(action.method, { sessionId: this.sessionId, ...(action.params ?? {}) }, { meta: this.meta() });
              span.setDetails({ result_keys: Object.keys((result ?? {}) as object) });
            } catch (error) {
              span.setLevel('ERROR').setMessage(`${action.method} failed: ${(error as Error).message}`);
            }
          },
        );
        return;
      case 'raw': {
        await sleep(o.clock, action.afterMs ?? 0);
        const frame = action.frame.replaceAll('$SESSION', this.sessionId);
        o.logger.log({
          source: 'user_script',
          component: 'user_script',
          action: 'raw_frame',
          message: `sent raw frame: ${frame.slice(0, 120)}`,
          details: { frame: frame.slice(0, 500) },
        });
        this.client.sendFrame(frame);
      }
    }
  }

  private async say(action: Extract<UserAction, { kind: 'say' }>): Promise<void> {
    const { o } = this;
    const quietSinceUs = await this.waitForSilence(action.afterSilenceMs);
    if (action.decoy)
      o.truth.decoy(action.decoy, this.sessionId, quietSinceUs, o.clock.now(), {
        group: `${action.decoy}-${quietSinceUs}`,
        details: { silence_ms: (o.clock.now() - quietSinceUs) / 1000 },
      });
    this.turn += 1;
    const correlationId = `${this.sessionId.slice(0, 8)}-turn-${this.turn}`;
    const sentUs = o.clock.now();
    await o.logger.span(
      {
        source: 'user_script',
        component: 'user_script',
        action: 'user_turn',
        message: `user: ${action.text}`,
        correlation_id: correlationId,
        details: { message: action.text, turn: this.turn, nudge: action.nudge ?? false },
      },
      async (span) => {
        try {
          const result = await this.client.request<{ messageId: string; status: number }>(
            'sendUserMessage',
            { sessionId: this.sessionId, message: action.text },
            { meta: this.meta() },
          );
          span.setDetails({ message_id: result.messageId, status: result.status });
        } catch (error) {
          span.setLevel('ERROR').setMessage(`user turn failed: ${(error as Error).message}`);
          span.setDetails({ error: (error as Error).message, ...(error instanceof RpcError ? { error_code: error.code } : {}) });
          if (error instanceof RequestTimeoutError) {
            o.truth.fault('request_timeout', this.sessionId, sentUs, o.clock.now(), {
              group: `request_timeout-${sentUs}`,
              details: { rpc_method: 'sendUserMessage', timeout_ms: error.timeoutMs },
            });
            o.logger.log({
              source: 'user_script',
              level: 'ERROR',
              component: 'json_rpc_service',
              action: 'request_timeout',
              message: error.message,
              details: { rpc_method: 'sendUserMessage', timeout_ms: error.timeoutMs },
            });
          }
        }
      },
    );
  }

  /** One correlation id per non-turn request, shared by the client's and the server's spans. */
  private nextRpcCorrelation(): string {
    this.rpcs += 1;
    return `${this.sessionId.slice(0, 8)}-rpc-${this.rpcs}`;
  }

  /** Waits until nothing has arrived for `ms`; returns when the quiet period began (epoch µs). */
  private async waitForSilence(ms: number): Promise<number> {
    const { clock } = this.o;
    for (;;) {
      const quietUntil = this.client.lastReceivedUs + ms * 1000;
      const now = clock.now();
      if (now >= quietUntil) return this.client.lastReceivedUs;
      await sleep(clock, (quietUntil - now) / 1000);
    }
  }

  /** The active span as a W3C traceparent, plus its correlation id, for params._meta. */
  private meta(): { traceparent?: string; correlation_id?: string } {
    const sc = trace.getSpan(context.active())?.spanContext();
    const correlation = getDebbieContext().correlationId;
    return {
      ...(sc ? { traceparent: `00-${sc.traceId}-${sc.spanId}-01` } : {}),
      ...(correlation ? { correlation_id: correlation } : {}),
    };
  }
}
