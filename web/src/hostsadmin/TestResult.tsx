// What a connection test found: the host's facts, the host key it presented and whether it
// matches the expected one, readings and duration; or what failed, in words.
import { formatBytes, formatNumber } from "../format";
import { type Key, useI18n } from "../i18n";
import { errorKey } from "./errors";
import type { TestReport } from "./types";

interface FactsShape {
  hostname?: string;
  os?: string;
  kernel?: string;
  arch?: string;
  cpu_model?: string;
  cpu_cores?: number;
  memory_bytes?: number;
}

export function TestResult({ report, onUseFingerprint }: { report: TestReport; onUseFingerprint?: (fp: string) => void }) {
  const { t, locale } = useI18n();
  const seconds = formatNumber(locale, report.duration_ms / 1000, 2);
  const f = (report.facts ?? {}) as FactsShape;
  const facts: [Key, string | undefined][] = [
    ["fact.hostname", f.hostname],
    ["fact.os", f.os],
    ["fact.kernel", f.kernel],
    ["fact.arch", f.arch],
    ["fact.cpu", f.cpu_model],
    ["fact.cores", f.cpu_cores ? formatNumber(locale, f.cpu_cores, 0) : undefined],
    ["fact.memory", f.memory_bytes ? formatBytes(locale, f.memory_bytes) : undefined],
  ];
  const key = report.host_key;
  const code = report.error?.code;
  const known = errorKey(code);
  return (
    <div className={`ha-test ${report.ok ? "ok" : "failed"}`} role="status">
      {report.ok ? (
        <p className="success">
          {t("hostsAdmin.test.ok", { readings: formatNumber(locale, report.readings, 0), seconds })}
        </p>
      ) : (
        <>
          <p className="error">
            {known ? t(known) : t("hostsAdmin.test.failed", { seconds })}
          </p>
          {report.error && (
            <p className="hint">
              {t("hostsAdmin.test.details", { code: report.error.code, message: report.error.message })}
            </p>
          )}
        </>
      )}
      {report.ok && (
        <dl className="ha-facts">
          {facts
            .filter(([, v]) => v)
            .map(([k, v]) => (
              <div key={k}>
                <dt>{t(k)}</dt>
                <dd>{v}</dd>
              </div>
            ))}
        </dl>
      )}
      {key && (
        <div className="ha-hostkey">
          <p>
            {t("hostsAdmin.test.hostKey", { algorithm: key.algorithm })} <code className="ha-fp">{key.fingerprint}</code>
          </p>
          {report.host_key_matches === true && <p className="success">{t("hostsAdmin.test.matches")}</p>}
          {report.host_key_matches === false && <p className="error">{t("hostsAdmin.test.mismatch")}</p>}
          {report.host_key_matches == null && <p className="hint">{t("hostsAdmin.test.unpinned")}</p>}
          {report.host_key_matches == null && onUseFingerprint && (
            <button type="button" onClick={() => onUseFingerprint(key.fingerprint)}>
              {t("hostsAdmin.test.useFingerprint")}
            </button>
          )}
        </div>
      )}
    </div>
  );
}
