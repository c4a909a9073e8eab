"""The web app on AWS: a private bucket behind CloudFront on the app's domain, /api/* sent to
the API's domain; the routing function (run here in Node.js, as CloudFront's runtime would);
the same Content-Security-Policy as the local gateway's; and the publication to the bucket."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import uuid
from pathlib import Path
from typing import Any

import boto3
import pytest

from infra.cfn_yaml import load_template
from infra.publish_web_app import IMMUTABLE, app_config, publish, uploads

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_template(REPO / "infra" / "template.yaml")


def web_resources(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in template["Resources"].items() if k.startswith("WebApp")}


def test_the_app_is_hosted_only_on_a_cloud_stage_with_both_domains(template):
    resources = web_resources(template)

    assert set(resources) == {
        "WebAppBucket",
        "WebAppOriginAccess",
        "WebAppBucketPolicy",
        "WebAppRouting",
        "WebAppHeaders",
        "WebAppDistribution",
    }
    assert {r["Condition"] for r in resources.values()} == {"HostsWebApp"}
    assert template["Conditions"]["HostsWebApp"] == {
        "Fn::And": [
            {"Condition": "IsCloud"},
            {"Condition": "HasDomain"},
            {"Fn::Not": [{"Fn::Equals": [{"Ref": "WebDomainName"}, ""]}]},
        ]
    }


def test_the_bucket_is_private_and_only_the_distribution_reads_it(template):
    bucket = template["Resources"]["WebAppBucket"]["Properties"]
    statement = template["Resources"]["WebAppBucketPolicy"]["Properties"]["PolicyDocument"][
        "Statement"
    ]

    assert all(bucket["PublicAccessBlockConfiguration"].values())
    assert [s["Principal"] for s in statement] == [{"Service": "cloudfront.amazonaws.com"}]
    assert [s["Action"] for s in statement] == ["s3:GetObject"]
    assert "WebAppDistribution" in json.dumps(statement[0]["Condition"])


def test_the_distribution_serves_the_app_and_passes_api_calls_uncached(template):
    config = template["Resources"]["WebAppDistribution"]["Properties"]["DistributionConfig"]
    origins = {origin["Id"]: origin for origin in config["Origins"]}
    (api,) = config["CacheBehaviors"]

    assert origins["api"]["DomainName"] == {"Ref": "DomainName"}
    assert origins["api"]["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    assert "OriginAccessControlId" in origins["app"]
    assert config["DefaultCacheBehavior"]["TargetOriginId"] == "app"
    assert config["DefaultCacheBehavior"]["Compress"] is True
    assert config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"
    assert api["PathPattern"] == "/api/*"
    assert api["TargetOriginId"] == "api"
    # CachingDisabled: no person's answer is ever served to another.
    assert api["CachePolicyId"] == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
    assert set(api["AllowedMethods"]) >= {"POST", "PUT", "PATCH", "DELETE"}


def test_the_content_security_policy_is_the_local_gateways_with_the_deployed_sockets(template):
    local = local_policy(ws_url="ws://127.0.0.1:3001", aws_endpoint="http://127.0.0.1:4566")
    policy = template["Resources"]["WebAppHeaders"]["Properties"]["ResponseHeadersPolicyConfig"][
        "SecurityHeadersConfig"
    ]["ContentSecurityPolicy"]["ContentSecurityPolicy"]["Fn::Sub"][0]

    deployed = policy.replace("wss://${SignalingHost} wss://${NotificationsHost}", "SOCKETS")
    deployed = deployed.replace(
        "https://${AttachmentsBucket}.s3.${AWS::Region}.amazonaws.com "
        "https://${AttachmentsBucket}.s3.amazonaws.com",
        "UPLOADS",
    )
    expected = local.replace("ws://127.0.0.1:3001", "SOCKETS")
    assert deployed == expected.replace("http://127.0.0.1:4566", "UPLOADS")


def local_policy(ws_url: str, aws_endpoint: str) -> str:
    """The policy the local gateway sends with the app's page, for a stack at `ws_url`."""
    from types import SimpleNamespace

    from keneya_local.web_app import WebApp

    stack = SimpleNamespace(ws_url=ws_url, aws_endpoint=aws_endpoint)
    return WebApp(stack).content_security_policy()


def route(template: dict[str, Any], uri: str, query: dict[str, str] | None = None) -> Any:
    """What the routing function answers for a viewer request, run by Node.js."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node.js is needed (the web app's build needs it too)")
    code = template["Resources"]["WebAppRouting"]["Properties"]["FunctionCode"]
    event = {
        "request": {
            "uri": uri,
            "querystring": {name: {"value": value} for name, value in (query or {}).items()},
        }
    }
    script = f"{code}\nprocess.stdout.write(JSON.stringify(handler({json.dumps(event)})));"
    answer = subprocess.run([node, "-e", script], capture_output=True, text=True, check=True)
    return json.loads(answer.stdout)


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/doctors",
        "/doctors/d-1",
        "/consultations/c-1/payment",
        "/record/allergies",
        "/notifications",
    ],
)
def test_every_path_of_the_app_is_its_one_page(template, path):
    assert route(template, path)["uri"] == "/index.html"


@pytest.mark.parametrize(
    "path", ["/assets/index-3f9a.js", "/sw.js", "/manifest.webmanifest", "/config.json"]
)
def test_a_file_is_served_under_its_own_name(template, path):
    assert route(template, path)["uri"] == path


def test_the_old_room_address_goes_on_to_the_apps_call(template):
    moved = route(template, "/room/", {"consultation": "c-42", "relay": "1"})
    odd = route(template, "/room/", {"consultation": "../x"})

    assert moved["statusCode"] == 301
    assert moved["headers"]["location"]["value"] == "/consultations/c-42/call?relay=1"
    assert odd["statusCode"] == 302
    assert odd["headers"]["location"]["value"] == "/consultations"


def test_publishing_uploads_the_build_with_its_caching_and_the_sockets_config(
    aws_endpoint: str, tmp_path: Path
):
    # given a build of the app and the stack's bucket
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text('<script src="/assets/index-ab12.js"></script>')
    (dist / "assets" / "index-ab12.js").write_text("console.log('keneya')")
    (dist / "assets" / "index-cd34.css").write_text("body{}")
    (dist / "sw.js").write_text("self.addEventListener('fetch', () => {})")
    (dist / "manifest.webmanifest").write_text("{}")
    s3 = boto3.client("s3", endpoint_url=aws_endpoint, region_name="us-east-1")
    bucket = f"keneya-test-web-app-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    outputs = {
        "SignalingWebSocketUrl": "wss://sig.example/api/",
        "NotificationsWebSocketUrl": "wss://notif.example/api/",
    }

    # when it is published
    written = publish(dist, bucket, app_config(outputs), s3)

    # then the page comes after the assets it names, and each file has its headers
    assert written.index("index.html") > written.index("assets/index-ab12.js")
    asset = s3.head_object(Bucket=bucket, Key="assets/index-ab12.js")
    page = s3.head_object(Bucket=bucket, Key="index.html")
    worker = s3.head_object(Bucket=bucket, Key="sw.js")
    assert asset["CacheControl"] == IMMUTABLE
    assert asset["ContentType"] == "text/javascript; charset=utf-8"
    assert page["CacheControl"] == worker["CacheControl"] == "no-cache"
    assert page["ContentType"] == "text/html; charset=utf-8"
    config = s3.get_object(Bucket=bucket, Key="config.json")
    assert config["CacheControl"] == "no-store"
    assert json.loads(config["Body"].read()) == {
        "signaling": "wss://sig.example/api/",
        "notifications": "wss://notif.example/api/",
    }


def test_publishing_refuses_a_folder_without_a_build(tmp_path: Path):
    with pytest.raises(SystemExit, match=re.escape("make app")):
        uploads(tmp_path)
