import { createEvent, type DebbieEvent, type LogLevel } from '@debbie/model';
import { ALERT_TAG, type AlertAction, type AlertContext } from './Alert.js';

export interface LogEventActionOptions {
  /** Receives the alert's event, e.g. `(e) => streamer.write(e)` or a store sink. */
  emit: (event: DebbieEvent) => void;
  /** Level of the emitted event (default WARNING). */
  level?: LogLevel;
  /** The emitted summary (default `Alert "<name>": <trigger summary>`). */
  summary?: (event: DebbieEvent, context: AlertContext) => string;
}

/**
 * An alert action that emits a `debbie` event describing the firing, linked to the trigger
 * (same session, agent and correlation; parent = the trigger). It carries the tag
 * `debbie.alert`, so writing it back into the streamer cannot trigger alerts again.
 */
export function logEventAction(options: LogEventActionOptions): AlertAction {
  return (event, context) => {
    options.emit(
      createEvent({
        source: 'debbie',
        level: options.level ?? 'WARNING',
        component: 'alerts',
        action: 'alert_fired',
        event_summary: options.summary?.(event, context) ?? `Alert "${context.name}": ${event.event_summary}`,
        details: { alert: context.name, trigger_event_id: event.event_id, trigger_source: event.source, suppressed: context.suppressed },
        session_id: event.session_id,
        agent_id: event.agent_id,
        correlation_id: event.correlation_id,
        parent_id: event.event_id,
        trace_id: event.trace_id,
        tags: [ALERT_TAG],
      }),
    );
  };
}
