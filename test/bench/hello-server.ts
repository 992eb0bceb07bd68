/** The baseline of bench:http: fastify answering one tiny route, nothing else. */
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/hello', async () => 'hello');
const port = Number(process.argv[process.argv.indexOf('--port') + 1]);
await app.listen({ port, host: '127.0.0.1' });
