import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

import { App } from "./App";
import { SessionProvider } from "./auth/session";
import { I18nProvider } from "./i18n";
import { applyTheme, savedTheme } from "./theme";
import "./styles.css";

applyTheme(savedTheme());

const root = document.getElementById("root");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <I18nProvider>
        <SessionProvider>
          <App />
        </SessionProvider>
      </I18nProvider>
    </StrictMode>,
  );
}
