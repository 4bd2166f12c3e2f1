// The audit trail's hash chain, verified by the appliance (GET /api/v1/audit/verify): intact
// with how many entries, or broken at which entry and why. Verifying walks the whole
// trail, so it runs when the page opens and on request, not with every filter change.
import { useCallback, useEffect, useState } from "react";

import { get } from "../api/client";
import { ErrorText } from "../components/ErrorText";
import { type Key, useI18n } from "../i18n";
import { type Verification, chainSummary } from "./auditQuery";

const KINDS: Record<string, Key> = {
  altered: "audit.chain.altered",
  missing: "audit.chain.missing",
  anchor_mismatch: "audit.chain.anchorMismatch",
  truncated: "audit.chain.truncated",
  head_mismatch: "audit.chain.headMismatch",
};

export function ChainStatus() {
  const { t } = useI18n();
  const [result, setResult] = useState<Verification | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(true);
  const verify = useCallback(() => {
    setBusy(true);
    setError(null);
    get<Verification>("/api/v1/audit/verify")
      .then(setResult)
      .catch(setError)
      .finally(() => setBusy(false));
  }, []);
  useEffect(verify, [verify]);

  const summary = result && chainSummary(result);
  return (
    <section className={`card chain-status ${summary ? `chain-${summary.tone}` : ""}`} aria-live="polite" aria-busy={busy}>
      <div className="chain-text">
        {busy && !summary && <p>{t("audit.chain.verifying")}</p>}
        {summary?.tone === "ok" && (
          <>
            <p className="chain-head">
              <span aria-hidden="true">✓ </span>
              {t("audit.chain.ok_other", { count: summary.entries })}
            </p>
            {summary.prunedThrough != null && (
              <p className="hint">{t("audit.chain.pruned", { id: summary.prunedThrough })}</p>
            )}
          </>
        )}
        {summary?.tone === "bad" && (
          <>
            <p className="chain-head">
              <span aria-hidden="true">✗ </span>
              {t("audit.chain.broken", { id: summary.id })}
            </p>
            <p>{t(KINDS[summary.kind] ?? "audit.chain.unknownProblem")}</p>
            <p className="hint">
              {t("audit.chain.checkedBefore_other", { count: summary.entries })}{" "}
              <span className="mono" lang="en">
                {summary.reason}
              </span>
            </p>
          </>
        )}
        <ErrorText error={error} />
      </div>
      <button type="button" onClick={verify} disabled={busy} aria-busy={busy}>
        {busy ? t("audit.chain.verifying") : t("audit.chain.again")}
      </button>
    </section>
  );
}
