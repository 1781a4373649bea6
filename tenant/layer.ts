// The tenant layer assembled for `hotline serve`: store (SQLite or PostgreSQL), directory cache (the engine's policies), event bus, webhook dispatcher, activity recorder and the admin API, opened and closed in the right order.
import type { FastifyInstance } from 'fastify';
import { type AdminApiOptions, buildAdminApi, type FlowValidator } from './api/index.ts';
import { type DirectoryOptions, TenantDirectory } from './directory/index.ts';
import { CallActivity, type DispatcherOptions, EventBus, EventWriter, WebhookDispatcher } from './events/index.ts';
import { type Logger, silentLogger } from './log.ts';
import { openStore, type Store } from './store/index.ts';

/** Options of {@link openTenantLayer}. */
export interface TenantLayerOptions {
  /** `postgres://…` (`HOTLINE_DATABASE_URL`) for PostgreSQL; absent: SQLite at `<dataDir>/hotline.db`. */
  databaseUrl?: string;
  /** The data directory (`HOTLINE_DATA`): the SQLite file, recordings. */
  dataDir: string;
  /** The operator token (`HOTLINE_ADMIN_TOKEN`; see `generateAdminToken`). */
  adminToken: string;
  logger?: Logger;
  /** The IVR's flow validator (default: the placeholder). */
  flowValidator?: FlowValidator;
  dispatcher?: DispatcherOptions;
  directory?: Omit<DirectoryOptions, 'onEvents' | 'logger'>;
  /** How often expired registrations are deleted from the store. Default 10 min. */
  purgeEveryMs?: number;
  /** More admin API routes (e.g. the transcription pipeline's), passed to buildAdminApi. */
  routes?: AdminApiOptions['routes'];
}

/** Everything the composition root needs from the tenant layer. */
export interface TenantLayer {
  store: Store;
  /** CredentialLookup + BindingStore for the registrar; resolveInbound for the INVITE path. */
  directory: TenantDirectory;
  /** The record-keeping API of the call path (CDRs, affinity, recordings, messages and their events). */
  activity: CallActivity;
  /** Transactions that also write events. */
  events: EventWriter;
  bus: EventBus;
  dispatcher: WebhookDispatcher;
  /** The admin API, not listening yet: `await layer.api.listen({ host, port })`. */
  api: FastifyInstance;
  /** Closes the API, stops delivery, flushes binding writes, closes the store. Idempotent. */
  close(): Promise<void>;
}

/** Opens the store (migrating it), loads the directory, starts webhook delivery and builds the admin API. */
export async function openTenantLayer(opts: TenantLayerOptions): Promise<TenantLayer> {
  const log = opts.logger ?? silentLogger();
  const store = await openStore(opts.databaseUrl ? { url: opts.databaseUrl } : { dataDir: opts.dataDir });
  const cluster = store.dialect === 'postgres';
  const bus = new EventBus(store, { logger: log.child({ component: 'events' }) });
  const dispatcher = new WebhookDispatcher(store, { logger: log.child({ component: 'webhooks' }), ...opts.dispatcher });
  const events = new EventWriter(store, { bus, wake: () => dispatcher.wake() });
  let directory: TenantDirectory | undefined;
  let api: FastifyInstance | undefined;
  let purge: NodeJS.Timeout | undefined;
  try {
    if (cluster) await bus.follow();
    directory = await TenantDirectory.open(store, { ...opts.directory, logger: log.child({ component: 'directory' }), onEvents: (evs) => events.published(evs) });
    if (cluster) await directory.listen();
    api = await buildAdminApi({
      store,
      adminToken: opts.adminToken,
      directory,
      dataDir: opts.dataDir,
      logger: log.child({ component: 'admin-api' }),
      live: bus,
      wake: () => dispatcher.wake(),
      ...(opts.flowValidator ? { flowValidator: opts.flowValidator } : {}),
      ...(opts.routes ? { routes: opts.routes } : {}),
    });
    dispatcher.start();
    purge = setInterval(() => {
      store.registrations.purgeExpired().catch((err: unknown) => log.warn({ err }, 'purging expired registrations failed'));
    }, opts.purgeEveryMs ?? 600_000);
    purge.unref();
  } catch (err) {
    await api?.close();
    await directory?.close();
    await dispatcher.close();
    bus.close();
    await store.close();
    throw err;
  }
  let closed: Promise<void> | undefined;
  const dir = directory;
  const app = api;
  return {
    store,
    directory: dir,
    activity: new CallActivity(events),
    events,
    bus,
    dispatcher,
    api: app,
    close() {
      closed ??= (async () => {
        clearInterval(purge);
        await app.close();
        await dispatcher.close();
        await dir.close();
        bus.close();
        await store.close();
      })();
      return closed;
    },
  };
}
