"""Mobile-money sandboxes: Orange Money's Web Payment and Moov Money's push payment, speaking
the providers' protocols as the payments service's adapters call them, with the pages a payer
uses. Part of the local runtime only: the stack serves them under `/_sandbox/` and writes the
provider secrets that point at them (see `sandbox.py` for the control API)."""

from __future__ import annotations

import html

from aiohttp import web

from keneya_local.mobile_money.moov_money import MoovMoneySandbox
from keneya_local.mobile_money.orange_money import OrangeMoneySandbox
from keneya_local.mobile_money.pages import page, text
from keneya_local.mobile_money.sandbox import Fault, ProviderSandbox, serve

SANDBOX_PATH = "/_sandbox"

__all__ = [
    "SANDBOX_PATH",
    "Fault",
    "MobileMoneySandboxes",
    "MoovMoneySandbox",
    "OrangeMoneySandbox",
    "ProviderSandbox",
    "serve",
]


class MobileMoneySandboxes:
    """Both providers, mounted on one aiohttp application at `/_sandbox/<provider>/`."""

    def __init__(self) -> None:
        self.orange_money = OrangeMoneySandbox()
        self.moov_money = MoovMoneySandbox()

    def all(self) -> tuple[ProviderSandbox, ...]:
        return (self.orange_money, self.moov_money)

    def locate(self, origin: str) -> None:
        """Where they are served: `origin` + `/_sandbox/<provider>` (`origin`: the HTTP port's
        URL, as payers and the payments service reach it)."""
        for sandbox in self.all():
            sandbox.base_url = f"{origin}{SANDBOX_PATH}/{sandbox.name}"

    def mount(self, app: web.Application) -> None:
        for sandbox in self.all():
            app.add_subapp(f"{SANDBOX_PATH}/{sandbox.name}/", sandbox.application())
        app.router.add_get(SANDBOX_PATH, self._index)
        app.router.add_get(f"{SANDBOX_PATH}/", self._index)

    def secrets(self) -> dict[str, dict[str, str]]:
        """The provider secrets by sandbox name, as the template's `LocalSandbox` names them."""
        return {sandbox.name: sandbox.secret_value() for sandbox in self.all()}

    def pages(self) -> dict[str, str]:
        """What a person opens: each sandbox's page, and the Moov Money phone."""
        return {
            "Orange Money": f"{self.orange_money.base_url}/",
            "Moov Money": f"{self.moov_money.base_url}/",
            "Moov Money phone": f"{self.moov_money.base_url}/phone",
        }

    async def _index(self, request: web.Request) -> web.Response:
        from keneya_local.mobile_money import pages as texts

        lang = texts.language(request)
        links = "".join(
            f'<li><a href="{html.escape(url)}">{html.escape(label)}</a></li>'
            for label, url in self.pages().items()
        )
        return page(text("sandboxes", lang), lang, f"<ul class=card>{links}</ul>", brand="moov")
