package uv

/*
#include "uvgo.h"
*/
import "C"

import "strconv"

// ReqType is the type of a request (uv_req_type).
type ReqType int

// Request types.
const (
	ReqUnknown     ReqType = C.UV_UNKNOWN_REQ
	ReqReq         ReqType = C.UV_REQ
	ReqConnect     ReqType = C.UV_CONNECT
	ReqWrite       ReqType = C.UV_WRITE
	ReqShutdown    ReqType = C.UV_SHUTDOWN
	ReqUDPSend     ReqType = C.UV_UDP_SEND
	ReqFS          ReqType = C.UV_FS
	ReqWork        ReqType = C.UV_WORK
	ReqGetAddrInfo ReqType = C.UV_GETADDRINFO
	ReqGetNameInfo ReqType = C.UV_GETNAMEINFO
	ReqRandom      ReqType = C.UV_RANDOM
)

// String returns libuv's name for t, "udp_send" (uv_req_type_name), or
// "ReqType(n)" for a value libuv has no name for.
func (t ReqType) String() string {
	if t > ReqUnknown && t < C.UV_REQ_TYPE_MAX {
		if p := C.uv_req_type_name(C.uv_req_type(t)); p != nil {
			return C.GoString(p)
		}
	}
	return "ReqType(" + strconv.Itoa(int(t)) + ")"
}

// reqTypes maps the binding's request kinds to libuv's types.
var reqTypes = [...]ReqType{
	reqWrite: ReqWrite, reqConnect: ReqConnect, reqShutdown: ReqShutdown, reqSend: ReqUDPSend,
	reqFS: ReqFS, reqGetAddrInfo: ReqGetAddrInfo, reqGetNameInfo: ReqGetNameInfo, reqWork: ReqWork,
	reqRandom: ReqRandom,
}

// Type returns the request's type (uv_req_get_type): ReqFS, ReqWork...
func (r *Req) Type() ReqType {
	if r == nil {
		return ReqUnknown
	}
	return reqTypes[r.kind]
}
