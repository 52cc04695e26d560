-- wrk script of bench/bench-http.sh: optional HTTP pipelining and one
-- machine-readable line at the end.
--
--   wrk -t1 -c256 -d3 --latency -s bench/wrk/http.lua URL -- DEPTH
--
-- DEPTH (default 1) requests for the URL's path are sent back to back on a
-- connection before wrk waits for their responses, as TechEmpower's
-- plaintext test does with 16. wrk counts every response. At the end it
-- prints
--   RESULT requests=N duration_us=D rps=R p50_us=.. p99_us=.. max_us=..
--          bytes=B errors=E non2xx=S
-- where errors is the sum of connect, read, write and timeout errors.
-- Debian's wrk 4.1 answers 0 for the 99th percentile when pipelining (its
-- --latency table shows 0.00us too); bench-http.sh reports that as NA.

local depth = 1

function init(args)
  depth = tonumber(args[1]) or 1
  if depth > 1 then
    local one = wrk.format()
    local all = {}
    for i = 1, depth do
      all[i] = one
    end
    local batch = table.concat(all)
    -- Defined only when pipelining: without a request function wrk sends
    -- its prebuilt request, the cheapest path.
    request = function()
      return batch
    end
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d rps=%.1f p50_us=%d p99_us=%d max_us=%d bytes=%d errors=%d non2xx=%d\n",
    summary.requests, summary.duration,
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(99), latency.max,
    summary.bytes, e.connect + e.read + e.write + e.timeout, e.status))
end
