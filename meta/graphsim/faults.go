package graphsim

import (
	"context"
	"net/http"
	"slices"
	"time"
)

// FaultKind is a kind of injected failure.
type FaultKind int

// Fault kinds.
const (
	// FaultTransient answers code 1 (HTTP 500), code 2 (HTTP 503) or a bare
	// HTTP 502 without performing the call.
	FaultTransient FaultKind = iota + 1
	// FaultLostAnswer performs the call, then closes the connection unanswered.
	FaultLostAnswer
	// FaultTimeout hangs without performing the call until the client gives up.
	FaultTimeout
	// FaultGraphError answers the Fault's Code/Subcode/HTTPStatus/Message.
	FaultGraphError
	// FaultBatchNull answers a batch entry with null, unperformed.
	FaultBatchNull
	// FaultContainerError makes the next IG container end in ERROR.
	FaultContainerError
	// FaultPerformedThenError performs the call, then answers HTTP 500
	// code 1, HTTP 503 code 2 or HTTP 500 is_transient (a write that took
	// effect and still looks failed; see Quirks.PerformedThenErrorRate).
	FaultPerformedThenError
	// FaultContainerStuck makes the next IG container stay IN_PROGRESS
	// until it expires.
	FaultContainerStuck
	// FaultVideoFailed makes the next Page video (or reel) end its
	// processing in video_status Message: "error" (default) or "expired".
	FaultVideoFailed
)

var faultNames = map[FaultKind]string{FaultTransient: "transient", FaultLostAnswer: "lost_answer", FaultTimeout: "timeout",
	FaultGraphError: "graph_error", FaultBatchNull: "batch_null", FaultContainerError: "container_error",
	FaultPerformedThenError: "performed_then_error", FaultContainerStuck: "container_stuck", FaultVideoFailed: "video_failed"}

// String names the kind (as CallStats.Faults counts it).
func (k FaultKind) String() string {
	if n, ok := faultNames[k]; ok {
		return n
	}
	return "unknown"
}

// Fault is a failure to inject into the next matching calls.
type Fault struct {
	// Endpoint is the endpoint label to hit (e.g. "page_feed_post"); "" hits any.
	Endpoint string
	Kind     FaultKind
	// Count is how many calls it hits (default 1).
	Count int
	// For FaultGraphError (and FaultContainerError's Subcode).
	Code, Subcode, HTTPStatus int
	Message                   string
	Transient                 bool
}

// InjectFault queues a fault; it hits the next Count matching calls.
func (s *Sim) InjectFault(f Fault) {
	if f.Count <= 0 {
		f.Count = 1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, f)
}

// takeFault consumes a queued fault of one of kinds for label. Lock held.
func (s *Sim) takeFault(label string, kinds ...FaultKind) *Fault {
	for i := range s.faults {
		f := &s.faults[i]
		if (f.Endpoint == "" || f.Endpoint == label) && slices.Contains(kinds, f.Kind) {
			out := *f
			f.Count--
			if f.Count <= 0 {
				s.faults = slices.Delete(s.faults, i, i+1)
			}
			return &out
		}
	}
	return nil
}

// pickFault returns the fault for a request: queued first, then random. Lock held.
func (s *Sim) pickFault(label string) *Fault {
	if f := s.takeFault(label, FaultTransient, FaultLostAnswer, FaultTimeout, FaultGraphError, FaultPerformedThenError); f != nil {
		return f
	}
	if r := s.opt.Quirks.PerformedThenErrorRate; r > 0 && publishingWrite(label) && s.rng.Float64() < r {
		return &Fault{Kind: FaultPerformedThenError}
	}
	fo := s.opt.Faults
	if fo.TransientRate+fo.LostAnswerRate+fo.TimeoutRate == 0 {
		return nil
	}
	if len(fo.Endpoints) > 0 && !slices.Contains(fo.Endpoints, label) {
		return nil
	}
	x := s.rng.Float64()
	switch {
	case x < fo.TransientRate:
		return &Fault{Kind: FaultTransient}
	case x < fo.TransientRate+fo.LostAnswerRate:
		return &Fault{Kind: FaultLostAnswer}
	case x < fo.TransientRate+fo.LostAnswerRate+fo.TimeoutRate:
		return &Fault{Kind: FaultTimeout}
	}
	return nil
}

// faultResp renders a transient or configured error. Lock held.
func (s *Sim) faultResp(f *Fault) *resp {
	if f.Kind == FaultGraphError {
		st := f.HTTPStatus
		if st == 0 {
			st = 400
		}
		msg := f.Message
		if msg == "" {
			msg = "Simulated error"
		}
		return s.errResp(&gErr{status: st, code: f.Code, subcode: f.Subcode, typ: "OAuthException", msg: msg, transient: f.Transient}, nil)
	}
	if f.Kind == FaultPerformedThenError {
		if f.Code != 0 || f.HTTPStatus != 0 {
			g := *f
			g.Kind = FaultGraphError
			return s.faultResp(&g)
		}
		switch s.rng.IntN(3) {
		case 0:
			return s.errResp(&gErr{status: 500, code: 1, typ: "OAuthException", msg: "An unknown error has occurred.", transient: true}, nil)
		case 1:
			return s.errResp(&gErr{status: 503, code: 2, typ: "OAuthException", msg: "Service temporarily unavailable", transient: true}, nil)
		}
		return s.errResp(&gErr{status: 500, code: -1, typ: "OAuthException", msg: "An unexpected error has occurred. Please retry your request later.", transient: true}, nil)
	}
	switch s.rng.IntN(3) {
	case 0:
		return s.errResp(&gErr{status: 500, code: 1, typ: "OAuthException", msg: "An unknown error has occurred.", transient: true}, nil)
	case 1:
		return s.errResp(&gErr{status: 503, code: 2, typ: "OAuthException", msg: "Service temporarily unavailable", transient: true}, nil)
	}
	h := http.Header{}
	return &resp{status: http.StatusBadGateway, header: h, body: []byte("<html><body><h1>502 Bad Gateway</h1></body></html>")}
}

// hang waits until the client disconnects or TimeoutDelay passes.
func (s *Sim) hang(ctx context.Context) {
	t := time.NewTimer(s.opt.Faults.TimeoutDelay)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// hijackClose drops the connection without an answer.
func hijackClose(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}
