// OpenTelemetry for every Riposte process: one tracer provider, an optional OTLP exporter
// (OTEL_TRACES_EXPORTER=otlp), and the Temporal plugin that carries the trace from the API
// through the workflow into each activity.
import { trace, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, NoopSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { OpenTelemetryPlugin } from '@temporalio/interceptors-opentelemetry';
import type { BundleOptions, ReplayWorkerOptions, WorkerOptions } from '@temporalio/worker';
import type { RiposteConfig } from '../config/index.ts';

export interface Telemetry {
  resource: Resource;
  spanProcessor: SpanProcessor;
  temporalPlugin: OpenTelemetryPlugin;
  /** Whether spans go anywhere (an exporter, or a span processor of the caller's): if not, cases start untraced. */
  tracing: boolean;
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
  const tracing = Boolean(spanProcessor) || cfg.exporter !== 'none';
  if (tracing) provider.register();
  return {
    resource,
    spanProcessor: processor,
    tracing,
    // Installed even with nowhere to send spans: its client and activity interceptors carry the
    // trace, and workflows started traced (every one from before untraced starts) replay only with
    // its workflow interceptors. Riposte's own module chooses them per workflow.
    temporalPlugin: new RiposteTracingPlugin({ resource, spanProcessor: processor }),
    tracer: provider.getTracer('riposte'),
    async shutdown() {
      await provider.shutdown();
    },
  };
}

export const tracer = trace.getTracer('riposte');

const OTEL_WORKFLOW_MODULE = createRequire(import.meta.url).resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors');
/** Riposte's workflow interceptors: the OpenTelemetry ones, or none for a workflow started untraced. */
export const WORKFLOW_INTERCEPTORS = fileURLToPath(new URL('../workflows/interceptors.ts', import.meta.url));

/** Temporal's OpenTelemetry plugin, with its workflow interceptor module swapped for Riposte's. */
class RiposteTracingPlugin extends OpenTelemetryPlugin {
  override configureBundler(options: BundleOptions): BundleOptions {
    const o = super.configureBundler(options);
    return { ...o, workflowInterceptorModules: swap(o.workflowInterceptorModules) };
  }
  override configureWorker(options: WorkerOptions): WorkerOptions {
    const o = super.configureWorker(options);
    return { ...o, interceptors: { ...o.interceptors, workflowModules: swap(o.interceptors?.workflowModules) } };
  }
  override configureReplayWorker(options: ReplayWorkerOptions): ReplayWorkerOptions {
    const o = super.configureReplayWorker(options);
    return { ...o, interceptors: { ...o.interceptors, workflowModules: swap(o.interceptors?.workflowModules) } };
  }
}

function swap(modules: string[] | undefined): string[] | undefined {
  return modules?.map((m) => (m === OTEL_WORKFLOW_MODULE ? WORKFLOW_INTERCEPTORS : m));
}
