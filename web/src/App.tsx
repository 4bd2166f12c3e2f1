// Routes, behind the sign-in gate: no session → the login page; a session that must change
// its password → only that page; otherwise the layout with the page the URL names. Pages
// beyond the overview load on demand, so the first load stays small.
import { lazy, Suspense } from "react";
import { Route, Switch } from "wouter";

import { useSession } from "./auth/session";
import { Layout } from "./components/Layout";
import { useI18n } from "./i18n";
import { ChangePassword } from "./pages/ChangePassword";
import { Login } from "./pages/Login";
import { Overview } from "./pages/Overview";

const HostPage = lazy(() => import("./pages/HostPage"));
const HostsAdmin = lazy(() => import("./pages/HostsAdmin"));
const SshKeys = lazy(() => import("./pages/SshKeys"));
const Users = lazy(() => import("./pages/Users"));
const Access = lazy(() => import("./pages/Access"));
const Audit = lazy(() => import("./pages/Audit"));
const Profile = lazy(() => import("./pages/Profile"));

export function App() {
  const { session, loading } = useSession();
  const { t } = useI18n();
  if (loading) return <p className="loading">{t("app.loading")}</p>;
  if (!session) return <Login />;
  if (session.mustChangePassword) return <ChangePassword forced />;
  return (
    <Layout>
      <Suspense fallback={<p className="loading">{t("app.loading")}</p>}>
        <Switch>
          <Route path="/" component={Overview} />
          <Route path="/hosts/:id">{(params) => <HostPage id={Number(params.id)} />}</Route>
          <Route path="/hosts" component={HostsAdmin} />
          <Route path="/ssh-keys" component={SshKeys} />
          <Route path="/users" component={Users} />
          <Route path="/access" component={Access} />
          <Route path="/audit" component={Audit} />
          <Route path="/profile" component={Profile} />
          <Route>
            <Overview />
          </Route>
        </Switch>
      </Suspense>
    </Layout>
  );
}
