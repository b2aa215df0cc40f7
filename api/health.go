package api

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
)

// healthz says the process is alive; it checks nothing else.
func (s *Server) healthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

type checkResult struct {
	Status string `json:"status"`
	Error  string `json:"error,omitempty"`
	Took   string `json:"took"`
}

// readyz asks every dependency at once, each with a short timeout. It is
// 503 naming what is down while anything is, and 200 again by itself once
// it answers (the stores reconnect on their own).
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
				r.Status, r.Error = "down", err.Error()
			}
			mu.Lock()
			results[ch.Name] = r
			mu.Unlock()
		}()
	}
	wg.Wait()
	status, code := "ready", http.StatusOK
	var down []string
	for _, ch := range s.opts.Checks {
		if results[ch.Name].Status != "up" {
			down = append(down, ch.Name)
		}
	}
	body := gin.H{"checks": results}
	if len(down) > 0 {
		status, code = "not ready", http.StatusServiceUnavailable
		reason := ""
		for i, d := range down {
			if i > 0 {
				reason += ", "
			}
			reason += d + " is down: " + results[d].Error
		}
		body["reason"] = reason
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
