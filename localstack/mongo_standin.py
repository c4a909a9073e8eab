"""A MongoDB stand-in server for the MiniStack path: the wire protocol over `mongomock`.

The records service keeps medical records in MongoDB (`MONGO_URL`). No MongoDB server can be
installed on the project's build machines (no Docker, none in the reachable registries), and the
embedded stack's answer, `MONGO_URL=mongomock://`, is a store inside one process: under MiniStack
each Lambda function is its own process, so the records API would never see what the records
event consumer wrote. This server keeps one `mongomock` store for every client and speaks enough
of MongoDB's wire protocol (OP_MSG, and OP_QUERY for the first handshake) for pymongo's CRUD,
index, aggregation and find-and-modify commands, which is everything the records service uses.
It is a test double for local runs: no authentication, no transactions, no change streams, one
lock around every command, data in memory only.

    python localstack/mongo_standin.py --host 127.0.0.1 --port 27018

Then `MONGO_URL=mongodb://127.0.0.1:27018/keneya` (samconfig.toml's [ministack] environment).
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import logging
import socketserver
import struct
import sys
import threading
from typing import Any

import bson
import mongomock
from bson.codec_options import CodecOptions

OP_REPLY = 1
OP_QUERY = 2004
OP_MSG = 2013
_HEADER = struct.Struct("<iiii")
_CODEC = CodecOptions(tz_aware=False)

log = logging.getLogger("mongo-standin")


class CommandError(Exception):
    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code


class Store:
    """One mongomock client shared by every connection, behind one lock."""

    def __init__(self) -> None:
        self.client = mongomock.MongoClient()
        self.lock = threading.Lock()
        self._connections = itertools.count(1)

    def connection_id(self) -> int:
        return next(self._connections)

    # --- commands --------------------------------------------------------------------------------

    def run(self, command: dict[str, Any], connection_id: int) -> dict[str, Any]:
        name = next(iter(command))
        handler = getattr(self, f"_cmd_{name.lower()}", None)
        if handler is None:
            raise CommandError(f"no such command: '{name}'", code=59)
        with self.lock:
            return handler(command, connection_id)

    def _hello(self, connection_id: int) -> dict[str, Any]:
        return {
            "helloOk": True,
            "ismaster": True,
            "isWritablePrimary": True,
            "maxBsonObjectSize": 16 * 1024 * 1024,
            "maxMessageSizeBytes": 48_000_000,
            "maxWriteBatchSize": 100_000,
            "localTime": dt.datetime.now(dt.UTC),
            "logicalSessionTimeoutMinutes": 30,
            "connectionId": connection_id,
            "minWireVersion": 0,
            "maxWireVersion": 17,
            "readOnly": False,
        }

    def _cmd_hello(self, command: dict, connection_id: int) -> dict:
        return self._hello(connection_id)

    _cmd_ismaster = _cmd_hello

    def _cmd_ping(self, command: dict, connection_id: int) -> dict:
        return {}

    def _cmd_buildinfo(self, command: dict, connection_id: int) -> dict:
        return {"version": "6.0.0", "versionArray": [6, 0, 0, 0], "maxBsonObjectSize": 16 << 20}

    def _cmd_endsessions(self, command: dict, connection_id: int) -> dict:
        return {}

    def _cmd_killcursors(self, command: dict, connection_id: int) -> dict:
        return {"cursorsKilled": command.get("cursors", [])}

    def _collection(self, command: dict, name: str) -> Any:
        return self.client[command["$db"]][command[name]]

    def _cmd_insert(self, command: dict, connection_id: int) -> dict:
        collection = self._collection(command, "insert")
        written, errors = 0, []
        for index, document in enumerate(command.get("documents", [])):
            try:
                collection.insert_one(document)
                written += 1
            except mongomock.DuplicateKeyError as error:
                errors.append({"index": index, "code": 11000, "errmsg": str(error)})
                if command.get("ordered", True):
                    break
        return {"n": written, **({"writeErrors": errors} if errors else {})}

    def _cmd_update(self, command: dict, connection_id: int) -> dict:
        collection = self._collection(command, "update")
        matched = modified = 0
        upserted, errors = [], []
        for index, spec in enumerate(command.get("updates", [])):
            query, update = spec.get("q", {}), spec.get("u", {})
            options = {"upsert": bool(spec.get("upsert"))}
            if spec.get("arrayFilters"):
                options["array_filters"] = spec["arrayFilters"]
            try:
                if isinstance(update, dict) and not any(k.startswith("$") for k in update):
                    options.pop("array_filters", None)
                    result = collection.replace_one(query, update, **options)
                elif spec.get("multi"):
                    result = collection.update_many(query, update, **options)
                else:
                    result = collection.update_one(query, update, **options)
            except mongomock.DuplicateKeyError as error:
                errors.append({"index": index, "code": 11000, "errmsg": str(error)})
                if command.get("ordered", True):
                    break
                continue
            matched += result.matched_count
            modified += result.modified_count
            if result.upserted_id is not None:
                upserted.append({"index": index, "_id": result.upserted_id})
        reply: dict[str, Any] = {"n": matched + len(upserted), "nModified": modified}
        if upserted:
            reply["upserted"] = upserted
        if errors:
            reply["writeErrors"] = errors
        return reply

    def _cmd_delete(self, command: dict, connection_id: int) -> dict:
        collection = self._collection(command, "delete")
        deleted = 0
        for spec in command.get("deletes", []):
            if spec.get("limit", 0) == 1:
                deleted += collection.delete_one(spec.get("q", {})).deleted_count
            else:
                deleted += collection.delete_many(spec.get("q", {})).deleted_count
        return {"n": deleted}

    @staticmethod
    def _cursor(command: dict, name: str, documents: list) -> dict:
        return {
            "cursor": {
                "id": bson.int64.Int64(0),
                "ns": f"{command['$db']}.{command[name]}",
                "firstBatch": documents,
            }
        }

    def _cmd_find(self, command: dict, connection_id: int) -> dict:
        collection = self._collection(command, "find")
        cursor = collection.find(command.get("filter") or {}, command.get("projection"))
        if command.get("sort"):
            cursor = cursor.sort(list(command["sort"].items()))
        if command.get("skip"):
            cursor = cursor.skip(int(command["skip"]))
        if command.get("limit"):
            cursor = cursor.limit(abs(int(command["limit"])))
        return self._cursor(command, "find", list(cursor))

    def _cmd_aggregate(self, command: dict, connection_id: int) -> dict:
        collection = self._collection(command, "aggregate")
        return self._cursor(command, "aggregate", list(collection.aggregate(command["pipeline"])))

    def _cmd_count(self, command: dict, connection_id: int) -> dict:
        collection = self._collection(command, "count")
        return {"n": collection.count_documents(command.get("query") or {})}

    def _cmd_distinct(self, command: dict, connection_id: int) -> dict:
        collection = self._collection(command, "distinct")
        return {"values": collection.distinct(command["key"], command.get("query") or {})}

    def _cmd_findandmodify(self, command: dict, connection_id: int) -> dict:
        collection = self._collection(command, "findAndModify")
        query = command.get("query") or {}
        options: dict[str, Any] = {
            "projection": command.get("fields"),
            "sort": list((command.get("sort") or {}).items()) or None,
        }
        before = collection.find_one(query, sort=options["sort"])
        try:
            if command.get("remove"):
                value = collection.find_one_and_delete(query, **options)
            else:
                update = command.get("update") or {}
                options["upsert"] = bool(command.get("upsert"))
                options["return_document"] = bool(command.get("new"))
                if any(k.startswith("$") for k in update):
                    value = collection.find_one_and_update(query, update, **options)
                else:
                    value = collection.find_one_and_replace(query, update, **options)
        except mongomock.DuplicateKeyError as error:
            raise CommandError(str(error), code=11000) from None
        return {
            "value": value,
            "lastErrorObject": {
                "n": 1 if value or before else 0,
                "updatedExisting": before is not None,
            },
        }

    def _cmd_createindexes(self, command: dict, connection_id: int) -> dict:
        collection = self._collection(command, "createIndexes")
        for index in command.get("indexes", []):
            options = {k: v for k, v in index.items() if k not in ("key", "v", "ns")}
            collection.create_index(list(index["key"].items()), **options)
        return {"numIndexesBefore": 0, "numIndexesAfter": len(command.get("indexes", []))}

    def _cmd_listindexes(self, command: dict, connection_id: int) -> dict:
        collection = self._collection(command, "listIndexes")
        indexes = [
            {"v": 2, "name": name, **info, "key": dict(info["key"])}
            for name, info in collection.index_information().items()
        ]
        return self._cursor(command, "listIndexes", indexes)

    def _cmd_listcollections(self, command: dict, connection_id: int) -> dict:
        names = self.client[command["$db"]].list_collection_names()
        return {
            "cursor": {
                "id": bson.int64.Int64(0),
                "ns": f"{command['$db']}.$cmd",
                "firstBatch": [{"name": n, "type": "collection"} for n in names],
            }
        }

    def _cmd_drop(self, command: dict, connection_id: int) -> dict:
        self._collection(command, "drop").drop()
        return {}

    def _cmd_dropdatabase(self, command: dict, connection_id: int) -> dict:
        self.client.drop_database(command["$db"])
        return {}


class Connection(socketserver.BaseRequestHandler):
    store: Store

    def _read(self, size: int) -> bytes:
        chunks, remaining = [], size
        while remaining:
            chunk = self.request.recv(remaining)
            if not chunk:
                raise ConnectionError
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)

    def handle(self) -> None:
        connection_id = self.store.connection_id()
        request_ids = itertools.count(1)
        try:
            while True:
                length, request_id, _, opcode = _HEADER.unpack(self._read(_HEADER.size))
                payload = self._read(length - _HEADER.size)
                if opcode == OP_MSG:
                    reply = self._op_msg(payload, connection_id)
                    body = struct.pack("<I", 0) + b"\0" + bson.encode(reply)
                    reply_opcode = OP_MSG
                elif opcode == OP_QUERY:
                    reply = self._op_query(payload, connection_id)
                    body = struct.pack("<iqii", 0, 0, 0, 1) + bson.encode(reply)
                    reply_opcode = OP_REPLY
                else:
                    log.warning("unsupported opcode %s", opcode)
                    return
                header = _HEADER.pack(
                    _HEADER.size + len(body), next(request_ids), request_id, reply_opcode
                )
                self.request.sendall(header + body)
        except ConnectionError:
            return

    def _execute(self, command: dict[str, Any], connection_id: int) -> dict[str, Any]:
        try:
            return {**self.store.run(command, connection_id), "ok": 1.0}
        except CommandError as error:
            return {"ok": 0.0, "errmsg": str(error), "code": error.code}
        except Exception as error:  # a stand-in: say what failed, keep serving
            log.exception("command %s failed", next(iter(command), "?"))
            return {"ok": 0.0, "errmsg": f"{type(error).__name__}: {error}", "code": 1}

    def _op_msg(self, payload: bytes, connection_id: int) -> dict[str, Any]:
        (flags,) = struct.unpack_from("<I", payload)
        end = len(payload) - (4 if flags & 1 else 0)
        position, command = 4, None
        sequences: dict[str, list] = {}
        while position < end:
            kind = payload[position]
            position += 1
            (size,) = struct.unpack_from("<i", payload, position)
            if kind == 0:
                command = bson.decode(payload[position : position + size], _CODEC)
            else:
                section = payload[position + 4 : position + size]
                name, _, documents = section.partition(b"\0")
                sequences[name.decode()] = bson.decode_all(documents, _CODEC)
            position += size
        assert command is not None
        command.update(sequences)
        return self._execute(command, connection_id)

    def _op_query(self, payload: bytes, connection_id: int) -> dict[str, Any]:
        name_end = payload.index(b"\0", 4)
        namespace = payload[4:name_end].decode()
        position = name_end + 1 + 8
        (size,) = struct.unpack_from("<i", payload, position)
        query = bson.decode(payload[position : position + size], _CODEC)
        query = query.get("$query", query)
        query["$db"] = namespace.split(".", 1)[0]
        return self._execute(query, connection_id)


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def serve(host: str, port: int) -> Server:
    handler = type("BoundConnection", (Connection,), {"store": Store()})
    return Server((host, port), handler)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=27018)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    server = serve(args.host, args.port)
    log.info("MongoDB stand-in (mongomock) on %s:%s", args.host, args.port)
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
