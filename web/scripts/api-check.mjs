// Fails when the UI's API types drifted from the appliance's OpenAPI document: the Rust test
// `web::the_ui_has_the_current_openapi_document` keeps src/api/openapi.json equal to what the
// appliance serves; this keeps schema.d.ts equal to what openapi-typescript makes of it.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const dir = mkdtempSync(join(tmpdir(), "steward-api-"));
const out = join(dir, "schema.d.ts");
try {
  execFileSync("npx", ["openapi-typescript", "src/api/openapi.json", "-o", out], { stdio: "ignore" });
  if (readFileSync(out, "utf8") !== readFileSync("src/api/schema.d.ts", "utf8")) {
    console.error("src/api/schema.d.ts is stale: run `npm run api:gen` in web/ and commit the result");
    process.exit(1);
  }
  console.log("api types match src/api/openapi.json");
} finally {
  rmSync(dir, { recursive: true, force: true });
}
