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
	"golang.org/x/sync/semaphore"
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

// bodyBudget bounds the bytes of request bodies buffered at once, over all requests
// (EDGE_BODY_BUFFER_BYTES): a request reserves its declared Content-Length (or its route's
// limit when the length is unknown) BEFORE reading, and when the budget cannot cover it the
// request is refused at once with 503 OVERLOADED; nothing waits for room, so a thousand slow
// uploads hold at most the budget, not a thousand buffers. nil = unbounded.
type bodyBudget struct {
	sem   *semaphore.Weighted
	bytes int64
}

func newBodyBudget(bytes int64) *bodyBudget {
	if bytes <= 0 {
		return nil
	}
	return &bodyBudget{sem: semaphore.NewWeighted(bytes), bytes: bytes}
}

// bufferBody reads the request body into memory, at most limit bytes: a declared
// Content-Length over the limit is refused without reading, and a chunked (or lying) body
// is read up to limit+1 bytes. The body is buffered, so a request over the limit can never
// reach a backend, whatever the route does with the rest of the body. Over the limit -> 413
// with a google.rpc.Status body (code INVALID_ARGUMENT, ErrorInfo reason
// REQUEST_BODY_TOO_LARGE). On success it returns the request carrying the buffered body and
// a release func the caller runs when the request is done (gives the budget back).
func bufferBody(w http.ResponseWriter, r *http.Request, limit int64, budget *bodyBudget, ew *errorWriter) (*http.Request, func(), bool) {
	if r.ContentLength > limit {
		w.Header().Set("Connection", "close")
		ew.writeError(w, r, bodyTooLarge(limit))
		return nil, nil, false
	}
	hasBody := r.Body != nil && r.Body != http.NoBody && r.ContentLength != 0
	held := int64(0)
	release := func() {
		if held > 0 {
			budget.sem.Release(held)
			held = 0
		}
	}
	if hasBody && budget != nil {
		want := r.ContentLength
		if want < 0 {
			want = limit + 1
		}
		if !budget.sem.TryAcquire(want) {
			w.Header().Set("Connection", "close")
			ew.writeError(w, r, overloaded("request body buffer budget exhausted"))
			return nil, nil, false
		}
		held = want
	}
	var data []byte
	if hasBody {
		var err error
		if r.ContentLength > 0 {
			// The server enforces a declared length: read exactly that, one allocation.
			data = make([]byte, r.ContentLength)
			_, err = io.ReadFull(r.Body, data)
		} else {
			data, err = io.ReadAll(io.LimitReader(r.Body, limit+1))
		}
		if err != nil {
			release()
			w.Header().Set("Connection", "close")
			ew.writeError(w, r, newEdgeError(http.StatusBadRequest, codes.InvalidArgument, ReasonMalformedBody, "could not read the request body", nil))
			return nil, nil, false
		}
		if int64(len(data)) > limit {
			release()
			w.Header().Set("Connection", "close")
			ew.writeError(w, r, bodyTooLarge(limit))
			return nil, nil, false
		}
		// Keep only what the body really holds.
		if extra := held - int64(len(data)); extra > 0 && budget != nil {
			budget.sem.Release(extra)
			held -= extra
		}
	}
	body := &requestBody{Reader: bytes.NewReader(data)}
	r.Body = body
	r.ContentLength = int64(len(data))
	return r.WithContext(context.WithValue(r.Context(), bodyKey{}, body)), release, true
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
