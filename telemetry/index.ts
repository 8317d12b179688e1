// OpenTelemetry for every Riposte process: one tracer provider, an optional OTLP exporter
// (OTEL_TRACES_EXPORTER=otlp), and the Temporal plugin that carries the trace from the API
// through the workflow into each activity.
import { trace, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, NoopSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { OpenTelemetryPlugin } from '@temporalio/interceptors-opentelemetry';
import type { RiposteConfig } from '../config/index.ts';

export interface Telemetry {
  resource: Resource;
  spanProcessor: SpanProcessor;
  temporalPlugin: OpenTelemetryPlugin;
  /** This provider's tracer (the global `tracer` below is the first provider registered in the process). */
  tracer: Tracer;
  shutdown(): Promise<void>;
}

export function setupTelemetry(
  cfg: RiposteConfig['telemetry'],
  component: string,
  spanProcessor?: SpanProcessor
): Telemetry {
  const resource = new Resource({ [ATTR_SERVICE_NAME]: cfg.serviceName, 'riposte.component': component });
  const processor =
    spanProcessor ??
    (cfg.exporter === 'otlp'
      ? new BatchSpanProcessor(new OTLPTraceExporter(cfg.otlpEndpoint ? { url: `${cfg.otlpEndpoint}/v1/traces` } : {}))
      : new NoopSpanProcessor());
  const provider = new NodeTracerProvider({ resource, spanProcessors: [processor] });
  // With nowhere to send spans, no global provider: the API's spans stay no-ops and cost
  // nothing on the ingest path (no context manager, no span objects).
  if (spanProcessor || cfg.exporter !== 'none') provider.register();
  return {
    resource,
    spanProcessor: processor,
    // Installed even with nowhere to send spans, though its workflow interceptors are a large
    // share of a worker's workflow CPU: they change when update handlers and the workflow's main
    // body resume relative to each other, so histories recorded with them replay only with them
    // (test/replay; docs/PERFORMANCE.md).
    temporalPlugin: new OpenTelemetryPlugin({ resource, spanProcessor: processor }),
    tracer: provider.getTracer('riposte'),
    async shutdown() {
      await provider.shutdown();
    },
  };
}

export const tracer = trace.getTracer('riposte');
