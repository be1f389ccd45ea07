// zod 4 compiles fast object parsers with `new Function` when it may, and finds out whether it
// may by trying once. Under our Content-Security-Policy (no 'unsafe-eval') that try is refused and
// reported as a violation. Browser code that parses with zod imports this first: no JIT, no try.
import { z } from "zod";

z.config({ jitless: true });
