-- wrk script for bench/cases_load.sh: one thread per caseworker (wrk -t50 -c50), each
-- with its own session, CSRF token and case, recording contacts one after another.
-- The case version is taken from each answer (the optimistic check); every contact
-- carries a unique client_key so the script can verify afterwards that each
-- acknowledged contact is stored exactly once.
local workers = dofile(os.getenv("LOAD_SESSIONS"))
local counter = 1
local threads = {}

function setup(thread)
  thread:set("n", counter)
  table.insert(threads, thread)
  counter = counter + 1
end

function init(args)
  local w = workers[n]
  case_id, version, cookie, csrf = w.case_id, w.version, w.cookie, w.csrf
  seq, created, conflicts, errors = 0, 0, 0, 0
  wrk.method = "POST"
  wrk.path = "/api/v1/cases/" .. case_id .. "/contacts"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Cookie"] = cookie
  wrk.headers["X-CSRF-Token"] = csrf
end

function request()
  seq = seq + 1
  local body = string.format(
    '{"version":%d,"channel":"phone","with_whom":"jongere","summary":"belronde","client_key":"load-%03d-%09d"}',
    version, n, seq)
  return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
  if status == 201 then
    created = created + 1
    version = tonumber(string.match(body, '"version":(%d+)'))
  elseif status == 409 then
    conflicts = conflicts + 1
    version = tonumber(string.match(body, '"current":{[^}]-"version":(%d+)')) or version
  else
    errors = errors + 1
  end
end

function done(summary, latency, requests)
  local c, k, e = 0, 0, 0
  for _, t in ipairs(threads) do
    c = c + t:get("created")
    k = k + t:get("conflicts")
    e = e + t:get("errors")
  end
  io.write(string.format("RESULT created=%d conflicts=%d errors=%d requests=%d socket_errors=%d p50_ms=%.2f p99_ms=%.2f\n",
    c, k, e, summary.requests,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
