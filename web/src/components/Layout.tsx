// The frame around every signed-in page: navigation (admin pages only for admins), the
// language and theme choices, sign-out. On a phone the navigation folds into a menu button.
import { useState, type ReactNode } from "react";
import { Link, useLocation } from "wouter";

import { useSession } from "../auth/session";
import { atLeast } from "./roles";
import { type Key, useI18n } from "../i18n";
import { LanguageSelect, ThemeSelect } from "./PreferenceSelects";

const NAV: { href: string; key: Key; admin?: boolean }[] = [
  { href: "/", key: "nav.overview" },
  { href: "/hosts", key: "nav.hosts", admin: true },
  { href: "/ssh-keys", key: "nav.sshKeys", admin: true },
  { href: "/users", key: "nav.users", admin: true },
  { href: "/access", key: "nav.access", admin: true },
  { href: "/audit", key: "nav.audit", admin: true },
  { href: "/profile", key: "nav.profile" },
];

export function Layout({ children }: { children: ReactNode }) {
  const { session, logout } = useSession();
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const [location] = useLocation();
  const admin = session ? atLeast(session.user.role, "admin") : false;
  return (
    <div className="shell">
      <a className="skip" href="#main">
        {t("app.skip")}
      </a>
      <header className="topbar">
        <Link href="/" className="brand">
          <img src="/favicon.svg" alt="" width={24} height={24} />
          {t("app.name")}
        </Link>
        <button
          type="button"
          className="menu-button"
          aria-expanded={open}
          aria-controls="main-nav"
          onClick={() => setOpen((o) => !o)}
        >
          {t("nav.menu")}
        </button>
        <nav id="main-nav" aria-label={t("nav.main")} className={open ? "nav open" : "nav"}>
          {NAV.filter((n) => !n.admin || admin).map((n) => (
            <Link
              key={n.href}
              href={n.href}
              aria-current={location === n.href ? "page" : undefined}
              onClick={() => setOpen(false)}
            >
              {t(n.key)}
            </Link>
          ))}
        </nav>
        <div className="prefs">
          <label>
            <span className="sr-only">{t("language.label")}</span>
            <LanguageSelect data-testid="language" />
          </label>
          <label>
            <span className="sr-only">{t("theme.label")}</span>
            <ThemeSelect data-testid="theme" />
          </label>
          <span className="whoami" title={session?.user.role}>
            {session?.user.username}
          </span>
          <button type="button" onClick={() => void logout()}>
            {t("nav.logout")}
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
