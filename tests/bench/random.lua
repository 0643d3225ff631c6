-- tests/bench/random.lua: wrk script asking for a random page of the corpus per request.
-- The path list (one per line) comes from the environment, BENCH_PATHS, written by the
-- corpus generator; requests are built once up front so wrk spends its time on I/O.
local reqs = {}

function init(args)
  local f = assert(io.open(os.getenv("BENCH_PATHS"), "r"))
  for line in f:lines() do
    if #line > 0 then
      reqs[#reqs + 1] = wrk.format("GET", line)
    end
  end
  f:close()
  math.randomseed(tonumber(os.getenv("BENCH_SEED") or "1"))
end

function request()
  return reqs[math.random(#reqs)]
end
