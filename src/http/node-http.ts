// node:http through require, not `import`. An ES import of a built-in builds its namespace from every
// export, and Node 24's http exports WebSocket, CloseEvent and MessageEvent as lazy getters over its
// bundled undici: one `import { createServer } from 'node:http'` loads and compiles all of undici, which
// the injector never uses (2.5 MB more heap, 8 MB more RSS in a bare process). require() reads only the
// names asked for. Types still come from `import type`, which costs nothing at run time.
import { createRequire } from 'node:module';

const nodeHttp = createRequire(import.meta.url)('node:http') as typeof import('node:http');

export const createHttpServer = nodeHttp.createServer;
export const STATUS_CODES = nodeHttp.STATUS_CODES;
