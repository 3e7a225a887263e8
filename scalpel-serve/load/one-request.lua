-- wrk script: each request slices one uid (WHAT=uid, the default) or one flow (WHAT=flow), drawn
-- with a fixed seed from uids.txt or flows.txt (one a line, made by pick.sh; flows URL-encoded).
-- Environment: WHAT, CAPTURE (the capture's name, capture=), LIST (another file of values).
local what = os.getenv("WHAT") or "uid"
local capture = os.getenv("CAPTURE") or "traffic-1g.pcap"
local values = {}
for line in io.lines(os.getenv("LIST") or (what .. "s.txt")) do
  values[#values + 1] = line
end
math.randomseed(18)

request = function()
  return wrk.format("GET", "/api/v1/slice?capture=" .. capture .. "&" .. what .. "=" .. values[math.random(#values)])
end
