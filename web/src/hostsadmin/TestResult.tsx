// What a connection test found: the host's facts, the host key it presented and whether it
// matches the expected one, readings and duration; or what failed, in words.
import { formatNumber } from "../format";
import { FactList } from "../host/Facts";
import { useI18n } from "../i18n";
import { errorKey } from "../components/ErrorText";
import type { TestReport } from "./types";

export function TestResult({ report, onUseFingerprint }: { report: TestReport; onUseFingerprint?: (fp: string) => void }) {
  const { t, locale } = useI18n();
  const seconds = formatNumber(locale, report.duration_ms / 1000, 2);
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
      {report.ok && <FactList facts={report.facts} className="ha-facts" />}
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
