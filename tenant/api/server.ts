// The admin HTTP API (DESIGN.md §3): Fastify with JSON-schema validation, bearer auth (operator token, per-tenant API keys that see only their tenant), errors as `{error, message, field}`, OpenAPI at /api/v1/openapi.json generated from the route schemas.
import swagger from '@fastify/swagger';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyRequest, LogController } from 'fastify';
import { FlowValidationError, NotFoundError, TenantError, UnauthorizedError } from '../errors.ts';
import type { TenantDirectory } from '../directory/index.ts';
import { type Logger, silentLogger } from '../log.ts';
import { safeEqual } from '../model/index.ts';
import type { Store } from '../store/index.ts';
import { type ApiContext, type LiveEvents, type Principal, principalOf, setPrincipal, setTenant } from './context.ts';
import { type FlowValidator, PlaceholderFlowValidator } from './flow-validator.ts';
import { activityRoutes } from './routes/activity.ts';
import { eventRoutes } from './routes/events.ts';
import { setupRoutes } from './routes/setup.ts';
import { typeboxValidatorCompiler } from './validation.ts';

/** The path prefix of every admin route. */
export const API_PREFIX = '/api/v1';

/** Options of {@link buildAdminApi}. */
export interface AdminApiOptions {
  store: Store;
  /** The operator token (`HOTLINE_ADMIN_TOKEN`): full access to every tenant. At least 16 characters. */
  adminToken: string;
  /** The directory cache: refreshed after changes; source of live registrations and agent states. */
  directory?: TenantDirectory;
  /** Flow document validation. Default: {@link PlaceholderFlowValidator} (until the IVR supplies one). */
  flowValidator?: FlowValidator;
  /** The data directory recordings' paths are relative to. Default `./data`. */
  dataDir?: string;
  logger?: Logger;
  /** Live events for `GET …/stream` (tenant/events' EventBus). Without it the stream only replays. */
  live?: LiveEvents;
  /** Called when events were (re)scheduled for webhook delivery (replay): wake the dispatcher. */
  wake?: () => void;
  /** Largest request body. Default 1 MiB. */
  bodyLimit?: number;
  /** Milliseconds between SSE keep-alive comments. Default 15000. */
  sseHeartbeatMs?: number;
  /** More routes under `/api/v1` (e.g. tenant/pipeline's transcriptions), with the same auth, tenant isolation and error answers. */
  routes?: ReadonlyArray<(api: FastifyInstance, ctx: ApiContext) => void>;
}

/**
 * Builds the admin API as a Fastify instance, not listening: `hotline serve` calls `listen()` on it (or
 * tests use port 0). Closing it ends open event streams.
 * @throws {TypeError} naming `adminToken` when it is shorter than 16 characters.
 */
export async function buildAdminApi(opts: AdminApiOptions): Promise<FastifyInstance> {
  if (typeof opts.adminToken !== 'string' || opts.adminToken.length < 16) throw new TypeError('adminToken: must be at least 16 characters');
  const log = opts.logger ?? silentLogger();
  const app = Fastify({
    loggerInstance: log,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: opts.bodyLimit ?? 1 << 20,
    forceCloseConnections: true,
  });
  const store = opts.store;
  const ctx: ApiContext = {
    store,
    directory: opts.directory,
    flows: opts.flowValidator ?? new PlaceholderFlowValidator(),
    dataDir: opts.dataDir ?? './data',
    log,
    live: opts.live,
    wake: opts.wake ?? (() => {}),
    sseHeartbeatMs: opts.sseHeartbeatMs ?? 15_000,
    async tenantChanged(tenantId) {
      if (opts.directory !== undefined) await opts.directory.publishTenantChange(tenantId);
      else await store.notify('tenant', tenantId);
    },
  };

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Hotline admin API', version: '1', description: 'Tenants, numbers, agents, telephony, flows, calls, recordings, conversations, events.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'the operator token or a tenant API key' } } },
      security: [{ bearer: [] }],
    },
  });
  app.setValidatorCompiler(typeboxValidatorCompiler);

  const adminToken = opts.adminToken;
  app.addHook('onRequest', async (req) => {
    if (!req.url.startsWith(API_PREFIX) || req.url.split('?')[0] === `${API_PREFIX}/openapi.json`) return;
    setPrincipal(req, await authenticate(req, adminToken, store));
  });

  // Tenant isolation: every /tenants/:tenantId/… route sees only a tenant the caller may see; any other
  // id is answered exactly like a tenant that does not exist (404), so keys learn nothing of others.
  app.addHook('preHandler', async (req) => {
    const params = req.params as { tenantId?: unknown } | undefined;
    const id = params?.tenantId;
    if (typeof id !== 'string') return;
    const p = principalOf(req);
    if (p.kind === 'tenant' && p.tenantId !== id) throw new NotFoundError('tenant');
    const t = await store.tenants.get(id);
    if (t === undefined) throw new NotFoundError('tenant');
    setTenant(req, t);
  });

  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof TenantError) {
      if (err.status >= 500) log.error({ err, url: req.url }, 'request failed');
      if (err.code === 'range_not_satisfiable') reply.header('Content-Range', `bytes */${(err as unknown as { size: number }).size}`);
      return reply.code(err.status).send({
        error: err.code,
        message: err.message,
        ...(err.field !== undefined ? { field: err.field } : {}),
        ...(err instanceof FlowValidationError ? { faults: err.faults } : {}),
      });
    }
    if (err.validation !== undefined) {
      const field = validationField(err);
      return reply.code(400).send({ error: 'validation_error', message: `${field}: ${err.validation[0]?.message ?? 'is invalid'}`, field });
    }
    const status = err.statusCode ?? 500;
    if (status < 500) {
      const code = status === 415 ? 'unsupported_media_type' : status === 413 ? 'payload_too_large' : 'bad_request';
      return reply.code(status).send({ error: code, message: err.message, field: 'body' });
    }
    log.error({ err, url: req.url }, 'request failed');
    return reply.code(500).send({ error: 'internal_error', message: 'internal error' });
  });

  app.setNotFoundHandler((req, reply) => reply.code(404).send({ error: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]}` }));

  await app.register(
    async (api) => {
      api.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
      setupRoutes(api, ctx);
      activityRoutes(api, ctx);
      eventRoutes(api, ctx);
      for (const register of opts.routes ?? []) register(api, ctx);
    },
    { prefix: API_PREFIX },
  );
  await app.ready();
  // the instance is typed with pino's Logger; callers only need the base logger interface
  return app as unknown as FastifyInstance;
}

/** The principal of a request's bearer token. @throws {UnauthorizedError} */
async function authenticate(req: FastifyRequest, adminToken: string, store: Store): Promise<Principal> {
  const h = req.headers.authorization;
  const m = h === undefined ? null : /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(h);
  if (m === null) throw new UnauthorizedError();
  const token = m[1];
  if (safeEqual(token, adminToken)) return { kind: 'operator' };
  const key = await store.apiKeys.verify(token);
  if (key === undefined) throw new UnauthorizedError('unknown or revoked token');
  return { kind: 'tenant', tenantId: key.tenantId, keyId: key.id };
}

/** The input field an Ajv validation error is about: `number`, `settings.wrapUpSeconds`, `limit`… */
function validationField(err: FastifyError): string {
  const v = err.validation?.[0];
  if (v === undefined) return err.validationContext ?? 'body';
  const parts = v.instancePath.split('/').filter(Boolean);
  const params = v.params as { missingProperty?: string; additionalProperty?: string };
  if (v.keyword === 'required' && params.missingProperty) parts.push(params.missingProperty);
  if (v.keyword === 'additionalProperties' && params.additionalProperty) parts.push(params.additionalProperty);
  return parts.length > 0 ? parts.join('.') : (err.validationContext ?? 'body');
}
