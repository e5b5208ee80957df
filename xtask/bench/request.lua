-- wrk script of `cargo xtask bench` (xtask/src/bench/load.rs). The request
-- comes from the environment; the summary is one line on stdout that the
-- benchmark parses. Latencies are in microseconds.
--
--   BENCH_METHOD   GET (default) or POST
--   BENCH_BODY     request body (JSON); sets Content-Type
--   BENCH_TOKEN    bearer token
--   BENCH_EXPECT   comma-separated statuses that count as success; without it
--                  success is any status below 400 (wrk's own count), which
--                  avoids the per-response Lua callback on the fast loads

wrk.method = os.getenv("BENCH_METHOD") or "GET"
local body = os.getenv("BENCH_BODY")
if body and body ~= "" then
  wrk.body = body
  wrk.headers["Content-Type"] = "application/json"
end
local token = os.getenv("BENCH_TOKEN")
if token and token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end

local expect = os.getenv("BENCH_EXPECT")
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

if expect and expect ~= "" then
  local accepted = {}
  for status in string.gmatch(expect, "%d+") do
    accepted[tonumber(status)] = true
  end
  unexpected = 0
  function response(status, headers, body)
    if not accepted[status] then
      unexpected = unexpected + 1
    end
  end
end

function done(summary, latency, requests)
  local unexpected_statuses = summary.errors.status
  if expect and expect ~= "" then
    unexpected_statuses = 0
    for _, thread in ipairs(threads) do
      unexpected_statuses = unexpected_statuses + (thread:get("unexpected") or 0)
    end
  end
  local errors = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d unexpected=%d connect=%d read=%d write=%d timeout=%d p50=%d p99=%d p999=%d max=%d\n",
    summary.requests, summary.duration, unexpected_statuses,
    errors.connect, errors.read, errors.write, errors.timeout,
    latency:percentile(50), latency:percentile(99), latency:percentile(99.9), latency.max))
end
