-- wrk script: each request slices one flow, drawn from flows.txt (URL-encoded PROTO ADDR:PORT
-- ADDR:PORT, one a line, made by pick.sh) with a fixed seed. Environment: CAPTURE, FLOWS.
local capture = os.getenv("CAPTURE") or "traffic-1g.pcap"
local values = {}
for line in io.lines(os.getenv("FLOWS") or "flows.txt") do
  values[#values + 1] = line
end
math.randomseed(18)

request = function()
  return wrk.format("GET", "/api/v1/slice?capture=" .. capture .. "&flow=" .. values[math.random(#values)])
end
