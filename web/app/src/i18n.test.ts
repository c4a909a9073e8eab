import { describe, expect, it } from "vitest";
import { preferredLanguage, saveLanguage, savedLanguage, t } from "./i18n";

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

describe("the language chosen on this phone", () => {
  it("is kept across visits, and only one of ours is taken back", () => {
    const values = new Map<string, string>();
    const storage = { getItem: (k: string) => values.get(k) ?? null, setItem: (k: string, v: string) => void values.set(k, v) };
    expect(savedLanguage(storage)).toBeNull();
    saveLanguage(storage, "bm");
    expect(savedLanguage(storage)).toBe("bm");
    values.set("keneya.language", "de");
    expect(savedLanguage(storage)).toBeNull();
  });

  it("does not break the app when storage is refused", () => {
    const refusing = {
      getItem: () => { throw new Error("SecurityError"); },
      setItem: () => { throw new Error("SecurityError"); },
    };
    expect(savedLanguage(refusing)).toBeNull();
    expect(() => saveLanguage(refusing, "en")).not.toThrow();
  });
});
