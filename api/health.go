package api

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
)

// healthz says the process is alive; it checks nothing else.
func (s *Server) healthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

type checkResult struct {
	Status string `json:"status"`         // up or down
	Code   string `json:"code,omitempty"` // when down: unavailable or timeout
	Took   string `json:"took"`
}

// checkCode is the stable code of a failed check. The error itself, which
// may carry addresses, paths or driver text, goes to the log only.
func checkCode(err error) string {
	if errors.Is(err, context.DeadlineExceeded) {
		return "timeout"
	}
	return "unavailable"
}

// readyz asks every dependency at once, each with a short timeout. It is
// 503 naming what is down ("clickhouse: unavailable") while anything is,
// and 200 again by itself once it answers (the stores reconnect on their
// own). Raw errors are logged when a check goes down, never answered.
func (s *Server) readyz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 3*time.Second)
	defer cancel()
	results := make(map[string]checkResult, len(s.opts.Checks))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, ch := range s.opts.Checks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			start := time.Now()
			err := ch.Ping(ctx)
			r := checkResult{Status: "up", Took: time.Since(start).Round(time.Millisecond).String()}
			if err != nil {
				r.Status, r.Code = "down", checkCode(err)
			}
			s.noteCheck(c, ch.Name, r.Code, err)
			mu.Lock()
			results[ch.Name] = r
			mu.Unlock()
		}()
	}
	wg.Wait()
	status, code := "ready", http.StatusOK
	var down []string
	for _, ch := range s.opts.Checks {
		if r := results[ch.Name]; r.Status != "up" {
			down = append(down, ch.Name+": "+r.Code)
		}
	}
	body := gin.H{"checks": results}
	if len(down) > 0 {
		status, code = "not ready", http.StatusServiceUnavailable
		body["reason"] = strings.Join(down, ", ")
	}
	body["status"] = status
	if len(s.opts.Details) > 0 {
		details := gin.H{}
		for name, fn := range s.opts.Details {
			details[name] = fn()
		}
		body["details"] = details
	}
	c.JSON(code, body)
}

// noteCheck logs a check's error when it goes down (and at debug while it
// stays down), and its recovery.
func (s *Server) noteCheck(c *gin.Context, name, code string, err error) {
	s.downMu.Lock()
	was := s.down[name]
	if s.down == nil {
		s.down = map[string]bool{}
	}
	s.down[name] = err != nil
	s.downMu.Unlock()
	ctx := c.Request.Context()
	switch {
	case err != nil && !was:
		s.log.WarnContext(ctx, "readiness check down", "check", name, "code", code, "err", err)
	case err != nil:
		s.log.DebugContext(ctx, "readiness check still down", "check", name, "code", code, "err", err)
	case was:
		s.log.InfoContext(ctx, "readiness check up again", "check", name)
	}
}
