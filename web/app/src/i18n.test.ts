import { describe, expect, it } from "vitest";
import { preferredLanguage, t } from "./i18n";

describe("texts", () => {
  it("are French by default, English on request, and fill in their values", () => {
    expect(t("sign_in", "fr")).toBe("Se connecter");
    expect(t("sign_in", "en")).toBe("Sign in");
    expect(t("code_sent", "en", { phone: "+22376123456" })).toBe("A code was sent to +22376123456.");
  });

  it("fall back to French per text where Bambara is not written", () => {
    expect(t("doctors", "bm")).toBe("Dɔgɔtɔrɔ ɲini");
    expect(t("password", "bm")).toBe("Mot de passe");
  });

  it("follow the browser's languages, French otherwise", () => {
    expect(preferredLanguage(["en-GB", "fr"])).toBe("en");
    expect(preferredLanguage(["de-DE", "bm-ML"])).toBe("bm");
    expect(preferredLanguage(["de-DE"])).toBe("fr");
  });
});
