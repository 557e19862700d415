package edge

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"
)

// requestBody is the buffered, size-checked request body handed to grpc-gateway. It
// remembers whether the JSON decoder rejected it, so the error handler can tell a
// malformed body (edge-side) from an INVALID_ARGUMENT sent by a backend.
type requestBody struct {
	*bytes.Reader
	decodeFailed atomic.Bool
}

func (*requestBody) Close() error { return nil }

type bodyKey struct{}

func bodyFromContext(ctx context.Context) *requestBody {
	b, _ := ctx.Value(bodyKey{}).(*requestBody)
	return b
}

// limitBody enforces the body size limit before anything is routed: a declared
// Content-Length over the limit is refused without reading, and a chunked (or lying)
// body is read up to limit+1 bytes. The body is buffered (at most limit bytes), so a
// request over the limit can never reach a backend, whatever the route does with the
// rest of the body. Over the limit -> 413 with a google.rpc.Status body
// (code INVALID_ARGUMENT, ErrorInfo reason REQUEST_BODY_TOO_LARGE).
func limitBody(limit int64, ew *errorWriter, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > limit {
			w.Header().Set("Connection", "close")
			ew.writeError(w, r, bodyTooLarge(limit))
			return
		}
		var data []byte
		if r.Body != nil && r.Body != http.NoBody {
			var err error
			data, err = io.ReadAll(io.LimitReader(r.Body, limit+1))
			if err != nil {
				w.Header().Set("Connection", "close")
				ew.writeError(w, r, newEdgeError(http.StatusBadRequest, codes.InvalidArgument, ReasonMalformedBody, "could not read the request body", nil))
				return
			}
			if int64(len(data)) > limit {
				w.Header().Set("Connection", "close")
				ew.writeError(w, r, bodyTooLarge(limit))
				return
			}
		}
		body := &requestBody{Reader: bytes.NewReader(data)}
		r.Body = body
		r.ContentLength = int64(len(data))
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), bodyKey{}, body)))
	})
}

// withDeadline bounds every proxied call: the gRPC deadline is the request context's.
// A client's Grpc-Timeout header can only shorten it.
func withDeadline(timeout time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), timeout)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// jsonMarshaler is protojson (lowerCamelCase, every field emitted, unknown input fields
// rejected) whose decoder flags the request body when it fails to decode it.
type jsonMarshaler struct {
	*runtime.JSONPb
}

// Marshal encodes a message with protojson directly (runtime.JSONPb would copy the result
// through a bytes.Buffer); anything else goes to JSONPb.
func (m jsonMarshaler) Marshal(v any) ([]byte, error) {
	if p, ok := v.(proto.Message); ok {
		return m.MarshalOptions.Marshal(p)
	}
	return m.JSONPb.Marshal(v)
}

func (m jsonMarshaler) NewDecoder(r io.Reader) runtime.Decoder {
	dec := m.JSONPb.NewDecoder(r)
	body, ok := r.(*requestBody)
	if !ok {
		return dec
	}
	return runtime.DecoderFunc(func(v any) error {
		err := dec.Decode(v)
		if err != nil && !errors.Is(err, io.EOF) {
			body.decodeFailed.Store(true)
		}
		return err
	})
}
