package meta

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync/atomic"
	"time"
)

const maxBody = 64 << 20

// graphError is Meta's error envelope.
type graphError struct {
	Message     string `json:"message"`
	Type        string `json:"type"`
	Code        *int   `json:"code"`
	Subcode     int    `json:"error_subcode"`
	UserTitle   string `json:"error_user_title"`
	UserMsg     string `json:"error_user_msg"`
	FBTraceID   string `json:"fbtrace_id"`
	IsTransient bool   `json:"is_transient"`
}

type envelope struct {
	Error *graphError `json:"error"`
}

// once performs a single HTTP exchange.
func (c *Client) once(ctx context.Context, req request, out any) (Usage, error) {
	start := time.Now()
	info := CallInfo{Endpoint: req.endpoint, Method: req.method, Calls: max(req.calls, 1)}
	u, body, status, err := c.exchange(ctx, req)
	info.Duration = time.Since(start)
	info.HTTPStatus = status
	info.Usage = u
	if err == nil {
		err = c.decode(req, status, u, body, out)
	}
	info.Class = ClassOf(err)
	if c.onResp != nil {
		c.onResp(info)
	}
	lvl := slog.LevelDebug
	if err != nil {
		lvl = slog.LevelWarn
	}
	c.log.Log(ctx, lvl, "graph api call",
		slog.String("endpoint", req.endpoint), slog.String("method", req.method),
		slog.Int("status", status), slog.String("class", info.Class.String()),
		slog.Duration("duration", info.Duration), slog.Int("usage_max_pct", u.MaxPercent()))
	return u, err
}

// exchange sends the request and reads the answer. A transport failure is a *NetError.
func (c *Client) exchange(ctx context.Context, req request) (Usage, []byte, int, error) {
	u, q, err := c.buildURL(req)
	if err != nil {
		return Usage{}, nil, 0, err
	}
	timeout := c.timeout
	if req.file != nil {
		timeout = c.upload
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var sent atomic.Bool
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		WroteHeaders: func() { sent.Store(true) },
	})
	var hr *http.Request
	switch {
	case req.method == http.MethodGet:
		u.RawQuery = q.Encode()
		hr, err = http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	case req.file != nil:
		if req.rawFile {
			u.RawQuery = q.Encode()
		}
		body, ct, n, berr := uploadBody(ctx, q, req.fileField, req.file, req.rawFile)
		if berr != nil {
			// The file could not be read (its store is away): nothing was
			// sent, so trying again later is safe.
			return Usage{}, nil, 0, &NetError{Endpoint: req.endpoint, Method: req.method, Err: berr}
		}
		hr, err = http.NewRequestWithContext(ctx, req.method, u.String(), body)
		if hr != nil {
			hr.ContentLength = n
			hr.Header.Set("Content-Type", ct)
		} else {
			body.Close()
		}
	default:
		hr, err = http.NewRequestWithContext(ctx, req.method, u.String(), strings.NewReader(q.Encode()))
		if hr != nil {
			hr.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	}
	if err != nil {
		return Usage{}, nil, 0, fmt.Errorf("meta: %s: build request: %w", req.endpoint, unwrapURLError(err))
	}
	hr.Header.Set("Accept", "application/json")
	for k, vs := range req.header {
		hr.Header[k] = vs
	}
	if req.tokenHeader && req.token != "" {
		hr.Header.Set("Authorization", "OAuth "+req.token)
	}
	resp, err := c.hc.Do(hr)
	if err != nil {
		return Usage{}, nil, 0, c.netError(ctx, req, sent.Load(), err)
	}
	defer resp.Body.Close()
	usage := ParseUsage(resp.Header)
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return usage, nil, resp.StatusCode, c.netError(ctx, req, true, err)
	}
	return usage, body, resp.StatusCode, nil
}

func (c *Client) netError(ctx context.Context, req request, sent bool, err error) error {
	err = unwrapURLError(err)
	timeout := errors.Is(ctx.Err(), context.DeadlineExceeded)
	var te interface{ Timeout() bool }
	if errors.As(err, &te) && te.Timeout() {
		timeout = true
	}
	return &NetError{Endpoint: req.endpoint, Method: req.method, Sent: sent, Timeout: timeout,
		Err: err}
}

// unwrapURLError drops *url.Error, whose text contains the URL (and token).
func unwrapURLError(err error) error {
	for {
		ue, ok := err.(*url.Error)
		if !ok {
			return err
		}
		err = ue.Err
	}
}

// decode turns an answer into out or an *Error.
func (c *Client) decode(req request, status int, u Usage, body []byte, out any) error {
	trimmed := bytes.TrimSpace(body)
	var env envelope
	var jsonErr error
	if bytes.HasPrefix(trimmed, []byte("{")) {
		jsonErr = json.Unmarshal(trimmed, &env)
	} else if !json.Valid(trimmed) {
		jsonErr = errors.New("invalid JSON")
	}
	if jsonErr == nil && env.Error != nil {
		return c.graphErr(req, status, u, env.Error)
	}
	if status >= 400 || jsonErr != nil {
		e := &Error{Endpoint: req.endpoint, Code: 0, HTTPStatus: status, Usage: u,
			Message: fmt.Sprintf("unexpected answer (HTTP %d, %d bytes) without a Graph error body", status, len(body))}
		if status >= 500 {
			e.Uncertain = req.method != http.MethodGet
		}
		e.classify()
		if status < 400 && jsonErr != nil {
			e.Class = ClassUnknown
			e.Uncertain = req.method != http.MethodGet
		}
		return e
	}
	if out == nil || bytes.Equal(trimmed, []byte("true")) {
		return nil
	}
	if err := json.Unmarshal(trimmed, out); err != nil {
		return fmt.Errorf("meta: %s: decode answer: %w", req.endpoint, err)
	}
	return nil
}

func (c *Client) graphErr(req request, status int, u Usage, g *graphError) *Error {
	e := &Error{
		Endpoint: req.endpoint, Code: -1, Subcode: g.Subcode, Type: g.Type, Message: g.Message,
		FBTraceID: g.FBTraceID, IsTransient: g.IsTransient, HTTPStatus: status, Usage: u,
	}
	if g.Code != nil {
		e.Code = *g.Code
	}
	e.classify() // on Meta's words, before redaction can change them
	e.Message = redact(g.Message, req.token, c.secret)
	e.UserTitle = redact(g.UserTitle, req.token, c.secret)
	e.UserMsg = redact(g.UserMsg, req.token, c.secret)
	e.Permission = redact(e.Permission, req.token, c.secret)
	e.Metric = redact(e.Metric, req.token, c.secret)
	// Meta sometimes performs a write and answers 5xx, code 1 or 2, or
	// is_transient anyway: before sending it again, look.
	if req.method != http.MethodGet && !req.idempotent &&
		(status >= 500 || e.Code == 1 || e.Code == 2 || e.IsTransient) {
		e.Uncertain = true
	}
	return e
}
