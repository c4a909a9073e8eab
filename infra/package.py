"""`make package`: package every Chalice app and compose the deployable template.

For each service of infra/template.yaml (an `AWS::Serverless::Application` with
`Metadata.Service`), `chalice package` writes `<out>/<service>/{sam.json,deployment.zip}`; the
SAM template is then turned into the service's nested stack (see infra/service_stack.py). The
shared layer is built into `<out>/layer`, and `<out>/template.yaml` is infra/template.yaml with
each application pointing at its packaged stack: `sam deploy --template-file build/template.yaml`
(or `--config-env staging`, see samconfig.toml) deploys the whole system. When the layer offers
`keneya.openapi`, `<out>/openapi.json` is the merged API document of all services.

    python infra/package.py [--stage dev] [--out build] [--only auth users]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script: `python infra/package.py`
    sys.path.insert(0, str(REPO))

from infra import gateway_responses  # noqa: E402
from infra.cfn_yaml import dump_json, dump_yaml, load_template  # noqa: E402
from infra.layer import build_layer  # noqa: E402
from infra.service_stack import (  # noqa: E402
    PackagingError,
    ServiceWiring,
    build_service_stack,
    services_of,
)

LAYER_SOURCE = REPO / "layers" / "common"
DEFAULT_VISIBILITY_TIMEOUT = 30  # SQS's own default, when the template sets none

_OPENAPI_SCRIPT = """
import json, sys
sys.path.insert(0, sys.argv[1])
from app import app
from keneya.openapi import service_document
json.dump(service_document(app, sys.argv[2]), sys.stdout)
"""


@dataclass
class PackagedService:
    wiring: ServiceWiring
    seconds: float
    summary: str
    notes: list[str]


def _subprocess_environment(extra: Mapping[str, str]) -> dict[str, str]:
    environment = dict(os.environ)
    environment.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    # The apps import the layer (`keneya`) at import time, as they do in Lambda from /opt/python.
    paths = [str(LAYER_SOURCE / "python"), *filter(None, [environment.get("PYTHONPATH")])]
    environment["PYTHONPATH"] = os.pathsep.join(paths)
    environment.update(extra)
    return environment


def _chalice_package(app_dir: Path, stage: str, out: Path, wiring: ServiceWiring) -> None:
    shutil.rmtree(out, ignore_errors=True)
    # Chalice caches its zips in <project>/.chalice/deployments: package a copy of the app, so
    # that packaging writes nothing under functions/.
    project = out.parent / ".projects" / wiring.name
    shutil.rmtree(project, ignore_errors=True)
    shutil.copytree(
        app_dir, project, ignore=shutil.ignore_patterns("deployments", "deployed", "__pycache__")
    )
    command = [
        sys.executable, "-c", "import sys; from chalice.cli import main; sys.exit(main())",
        "--project-dir", str(project), "package", "--stage", stage, str(out),
    ]
    result = subprocess.run(
        command, capture_output=True, text=True, check=False,
        env=_subprocess_environment(wiring.packaging_environment()),
    )
    if result.returncode != 0:
        raise PackagingError(
            f"chalice package failed for functions/{wiring.name}:\n{result.stdout}{result.stderr}"
        )


def _summary(template: Mapping[str, Any]) -> str:
    resources = template["Resources"]
    functions = [r for r in resources.values() if r["Type"] == "AWS::Serverless::Function"]
    kinds = {
        event["Type"]
        for function in functions
        for event in (function["Properties"].get("Events") or {}).values()
    }
    parts = [f"{len(functions)} function{'s' * (len(functions) != 1)}"]
    parts += [label for key, label in (("RestAPI", "REST API"), ("WebsocketAPI", "WebSocket API"))
              if key in resources]
    parts += [label for key, label in (("SQS", "events queue"), ("DynamoDB", "outbox relay"),
                                       ("Schedule", "schedules")) if key in kinds]
    return ", ".join(parts)


def package_service(
    wiring: ServiceWiring,
    *,
    functions_dir: Path,
    out: Path,
    stage: str,
    visibility_timeout: int,
    gateway_answers: Mapping[str, gateway_responses.GatewayAnswer] | None = None,
) -> PackagedService:
    started = time.monotonic()
    app_dir = functions_dir / wiring.name
    if not (app_dir / "app.py").is_file():
        raise PackagingError(f"{app_dir}/app.py not found (the template names {wiring.name})")
    service_out = out / wiring.name
    _chalice_package(app_dir, stage, service_out, wiring)
    template_path = service_out / "sam.json"
    stack = build_service_stack(
        load_template(template_path),
        wiring,
        visibility_timeout=visibility_timeout,
        gateway_answers=gateway_answers or {},
    )
    dump_json(stack.template, template_path)
    return PackagedService(
        wiring, time.monotonic() - started, _summary(stack.template), stack.notes
    )


def _visibility_timeout(root: Mapping[str, Any]) -> int:
    declared = (root.get("Parameters") or {}).get("EventsVisibilityTimeout") or {}
    return int(declared.get("Default", DEFAULT_VISIBILITY_TIMEOUT))


def _nested_outputs_used(root: Mapping[str, Any]) -> dict[str, set[str]]:
    """Application logical id -> the outputs the root reads from it (`X.Outputs.Y`)."""
    used: dict[str, set[str]] = {}

    def visit(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key == "Fn::GetAtt":
                    target, attribute = (item.split(".", 1) if isinstance(item, str) else item)
                    if isinstance(attribute, str) and attribute.startswith("Outputs."):
                        used.setdefault(target, set()).add(attribute.removeprefix("Outputs."))
                elif key == "Fn::Sub":
                    text = item if isinstance(item, str) else item[0]
                    for name in _sub_variables(text):
                        target, _, attribute = name.partition(".")
                        if attribute.startswith("Outputs."):
                            used.setdefault(target, set()).add(attribute.removeprefix("Outputs."))
                    if isinstance(item, list):
                        visit(item[1])
                else:
                    visit(item)
        elif isinstance(value, list):
            for item in value:
                visit(item)

    visit({key: root.get(key) for key in ("Resources", "Outputs")})
    return used


def _sub_variables(text: str) -> list[str]:
    return re.findall(r"\$\{([^!}][^}]*)\}", text)


def compose_root(root: Mapping[str, Any], services: Sequence[ServiceWiring], out: Path) -> Path:
    """Writes `<out>/template.yaml`: the root with local paths to the packaged parts."""
    composed = json.loads(json.dumps(root))
    resources = composed["Resources"]
    for resource in resources.values():
        if resource.get("Type") == "AWS::Serverless::LayerVersion":
            resource["Properties"]["ContentUri"] = "layer"
    outputs_used = _nested_outputs_used(root)
    for wiring in services:
        location = f"{wiring.name}/sam.json"
        resources[wiring.logical_id]["Properties"]["Location"] = location
        nested = load_template(out / location)
        missing = outputs_used.get(wiring.logical_id, set()) - set(nested.get("Outputs") or {})
        if missing:
            raise PackagingError(
                f"infra/template.yaml reads {sorted(missing)} from {wiring.logical_id}, which "
                f"functions/{wiring.name} does not produce (does the app declare that API?)"
            )
    path = out / "template.yaml"
    dump_yaml(
        composed,
        path,
        header="# Generated by infra/package.py from infra/template.yaml; edit that one.\n",
    )
    return path


def _service_document(wiring: ServiceWiring, functions_dir: Path) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-c", _OPENAPI_SCRIPT, str(functions_dir / wiring.name), wiring.name],
        capture_output=True, text=True, check=False,
        env=_subprocess_environment(wiring.packaging_environment()),
    )
    if result.returncode != 0:
        raise PackagingError(f"OpenAPI document of {wiring.name} failed:\n{result.stderr}")
    return json.loads(result.stdout)


def write_openapi(
    services: Sequence[ServiceWiring],
    functions_dir: Path,
    out: Path,
    pool: ThreadPoolExecutor,
    gateway_answers: Mapping[str, gateway_responses.GatewayAnswer] | None = None,
) -> Path:
    # The merging code is the layer's own (`keneya.openapi`), as the services use it.
    if str(LAYER_SOURCE / "python") not in sys.path:
        sys.path.insert(0, str(LAYER_SOURCE / "python"))
    from keneya.openapi import merge_documents

    futures = {w.name: pool.submit(_service_document, w, functions_dir) for w in services}
    merged = merge_documents(
        {name: future.result() for name, future in futures.items()},
        gateway_statuses=gateway_responses.openapi_statuses(gateway_answers or {}),
    )
    path = out / "openapi.json"
    path.write_text(json.dumps(merged, indent=2) + "\n", encoding="utf-8")
    return path


def package(
    *,
    template: Path = REPO / "infra" / "template.yaml",
    functions_dir: Path = REPO / "functions",
    out: Path = REPO / "build",
    stage: str = "dev",
    only: Sequence[str] = (),
    layer: bool = True,
    openapi: bool = True,
) -> int:
    """Packages the services; returns the process exit status (0 when everything packaged)."""
    started = time.monotonic()
    root = load_template(template)
    services = services_of(root)
    if only:
        unknown = set(only) - {w.name for w in services}
        if unknown:
            print(f"unknown services: {', '.join(sorted(unknown))}", file=sys.stderr)
            return 2
        services = [w for w in services if w.name in only]
    out.mkdir(parents=True, exist_ok=True)
    visibility_timeout = _visibility_timeout(root)
    gateway_answers = gateway_responses.declarations(root)
    failures: list[str] = []
    width = max(len(w.name) for w in services)

    with ThreadPoolExecutor(max_workers=len(services) + 1) as pool:
        layer_future: Future[str] | None = (
            pool.submit(build_layer, LAYER_SOURCE, out / "layer") if layer else None
        )
        futures = {
            pool.submit(
                package_service, wiring, functions_dir=functions_dir, out=out, stage=stage,
                visibility_timeout=visibility_timeout, gateway_answers=gateway_answers,
            ): wiring
            for wiring in services
        }
        for future in as_completed(futures):
            wiring = futures[future]
            try:
                done = future.result()
            except (PackagingError, OSError, ValueError) as error:
                failures.append(wiring.name)
                print(f"{wiring.name:<{width}}  FAILED: {error}", file=sys.stderr)
                continue
            print(f"{wiring.name:<{width}}  {done.seconds:4.1f} s  {done.summary}"
                  f"  -> {out / wiring.name}/{{sam.json,deployment.zip}}")
            for note in done.notes:
                print(f"{'':<{width}}  note: {note}")
        if layer_future is not None:
            try:
                print(f"{'layer':<{width}}  {layer_future.result()}  -> {out / 'layer'}")
            except RuntimeError as error:
                failures.append("layer")
                print(f"layer  FAILED: {error}", file=sys.stderr)
        if failures:
            print(f"packaging failed: {', '.join(failures)}", file=sys.stderr)
            return 1
        if only:
            print("template  not composed (--only packages part of the system)")
            return 0
        try:
            print(f"template  -> {compose_root(root, services, out)}")
            if openapi:
                document = write_openapi(services, functions_dir, out, pool, gateway_answers)
                print(f"openapi   -> {document}")
        except PackagingError as error:
            print(f"FAILED: {error}", file=sys.stderr)
            return 1
    print(f"packaged {len(services)} services in {time.monotonic() - started:.1f} s")
    return 0


def openapi_only(
    *,
    template: Path = REPO / "infra" / "template.yaml",
    functions_dir: Path = REPO / "functions",
    out: Path = REPO / "build",
) -> int:
    """Only `<out>/openapi.json`, without packaging (what the web app's typed client is
    generated from)."""
    root = load_template(template)
    out.mkdir(parents=True, exist_ok=True)
    services = services_of(root)
    with ThreadPoolExecutor(max_workers=len(services)) as pool:
        path = write_openapi(
            services, functions_dir, out, pool, gateway_responses.declarations(root)
        )
    print(f"openapi   -> {path}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stage", default="dev", help="Chalice stage of .chalice/config.json")
    parser.add_argument("--out", type=Path, default=REPO / "build")
    parser.add_argument("--template", type=Path, default=REPO / "infra" / "template.yaml")
    parser.add_argument("--functions", type=Path, default=REPO / "functions")
    parser.add_argument("--only", nargs="+", default=(), metavar="SERVICE")
    parser.add_argument("--no-layer", action="store_true", help="skip building the layer")
    parser.add_argument("--no-openapi", action="store_true", help="skip openapi.json")
    parser.add_argument(
        "--openapi-only", action="store_true", help="write openapi.json only, without packaging"
    )
    args = parser.parse_args(argv)
    if args.openapi_only:
        return openapi_only(
            template=args.template.resolve(),
            functions_dir=args.functions.resolve(),
            out=args.out.resolve(),
        )
    return package(
        template=args.template.resolve(), functions_dir=args.functions.resolve(),
        out=args.out.resolve(), stage=args.stage, only=args.only, layer=not args.no_layer,
        openapi=not args.no_openapi,
    )


if __name__ == "__main__":
    sys.exit(main())
