"""A client of the bot's web server in a process of its own, as an attacker's would be: it sends
the requests it is given (JSON on stdin), some at a time, and prints how many got each status.

Run with `run_attacker` (from a test, or the benchmark), so that the attacker's CPU is not the
event loop of the bot or of its caller.
"""

import asyncio
import json
import sys
from collections import Counter
from typing import Any

import httpx


async def _send_all(spec: dict[str, Any]) -> dict[str, int]:
    statuses: Counter[str] = Counter()
    queue: asyncio.Queue[list[Any]] = asyncio.Queue()
    for request in spec["requests"]:
        queue.put_nowait(request)
    limits = httpx.Limits(max_connections=spec["concurrency"])
    async with httpx.AsyncClient(base_url=spec["base_url"], limits=limits, timeout=60) as client:

        async def worker() -> None:
            while not queue.empty():
                method, path, headers, body = queue.get_nowait()
                try:
                    response = await client.request(method, path, headers=headers, json=body)
                    statuses[str(response.status_code)] += 1
                except httpx.HTTPError as error:
                    statuses[type(error).__name__] += 1

        print("started", flush=True)
        await asyncio.gather(*(worker() for _ in range(spec["concurrency"])))
    return dict(statuses)


async def run_attacker(
    base_url: str, requests: list[tuple[str, str, dict[str, str], Any]], *, concurrency: int = 50
) -> tuple[asyncio.subprocess.Process, asyncio.Task[dict[str, int]]]:
    """Start the attacker; returns once it is sending, with a task that gives its statuses."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "testkit.attacker",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdin is not None and process.stdout is not None
    spec = {"base_url": base_url, "requests": requests, "concurrency": concurrency}
    process.stdin.write(json.dumps(spec).encode())
    process.stdin.close()
    assert (await process.stdout.readline()).strip() == b"started"

    async def result() -> dict[str, int]:
        assert process.stdout is not None
        output = await process.stdout.read()
        await process.wait()
        statuses: dict[str, int] = json.loads(output)
        return statuses

    return process, asyncio.create_task(result())


if __name__ == "__main__":
    print(json.dumps(asyncio.run(_send_all(json.loads(sys.stdin.read())))), flush=True)
