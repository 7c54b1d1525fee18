// `npm start`: configuration from the environment, migrations, first-start bootstrap, serve.
import { ConfigError, loadConfig } from './config.js';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  // Loaded after the configuration is known to be good, so a typo is reported at once.
  const [{ createApp }, { bootstrap }] = await Promise.all([
    import('./app.js'),
    import('./modules/organizations/index.js'),
  ]);
  const app = await createApp({ config });
  const { logger } = app.deps;

  const created = await bootstrap(app.deps);
  const url = await app.start();
  if (created) {
    const origin = config.bootstrapApiKey ? 'BOOTSTRAP_API_KEY' : 'a new key; it is shown only this once';
    process.stdout.write(
      [
        '',
        'First start: created the default organization and its administrator API key',
        `(${origin}):`,
        '',
        `    ${config.bootstrapApiKey ? '(the value of BOOTSTRAP_API_KEY)' : created.secret}`,
        '',
        'Send it as the X-Api-Key header. More organizations: npm run org:create -- --name "Acme".',
        '',
      ].join('\n'),
    );
  }
  logger.info({ url: `${url}/graphql`, database: app.deps.provider }, 'badge API listening; GraphiQL at /graphql');

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    app.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(78); // EX_CONFIG
  }
  process.stderr.write(`Could not start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
