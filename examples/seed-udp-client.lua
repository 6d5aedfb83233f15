socket = mona:createUDPSocket()
function socket:onPacket(data,address)
NOTE("Reception from "..address..": "..data)
end
socket:connect("127.0.0.1", 1234)
NOTE("UDP socket opened on ",socket.address," connected to ",socket.peerAddress)
socket:send("hello")
