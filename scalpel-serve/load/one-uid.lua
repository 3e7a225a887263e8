-- wrk script: each request slices one uid, drawn from uids.txt (one uid a line, made by pick.sh)
-- with a fixed seed. Environment: CAPTURE (the capture's name, capture=), UIDS (default uids.txt).
local capture = os.getenv("CAPTURE") or "traffic-1g.pcap"
local values = {}
for line in io.lines(os.getenv("UIDS") or "uids.txt") do
  values[#values + 1] = line
end
math.randomseed(18)

request = function()
  return wrk.format("GET", "/api/v1/slice?capture=" .. capture .. "&uid=" .. values[math.random(#values)])
end
