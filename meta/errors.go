package meta

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Class is what a caller should do about a failed call.
type Class int

// Error classes. ClassNone is the class of a nil error.
const (
	ClassNone          Class = iota // no error
	ClassTransient                  // retry with backoff
	ClassThrottled                  // wait Error.RetryAfter, then retry
	ClassAuth                       // token invalid or expired: reconnect the channel
	ClassPermission                 // a permission is missing (Error.Permission)
	ClassInvalid                    // the request is wrong; do not retry as is
	ClassDuplicate                  // (#506) duplicate content; change the content
	ClassQuota                      // IG publishing quota (9 / 2207042); wait for the window
	ClassNotReady                   // IG container not ready (9007); poll status, then retry
	ClassRetiredMetric              // an insights metric name is no longer valid (Error.Metric)
	ClassUnknown                    // unclassified platform error; do not retry blindly
	// ClassPolicyBlock is a policy block, not a rate limit: code 368 (a
	// posting-rate block, hours long) or code 4 / subcode 2207051 (spam
	// restriction). Never retry automatically; tell staff.
	ClassPolicyBlock
)

var classNames = [...]string{"ok", "transient", "throttled", "auth", "permission", "invalid", "duplicate", "quota", "not_ready",
	"retired_metric", "unknown", "policy_block"}

// String returns a short, stable, low-cardinality name (usable as a metric label).
func (c Class) String() string {
	if c < 0 || int(c) >= len(classNames) {
		return "unknown"
	}
	return classNames[c]
}

// Retryable reports whether the same request may succeed later unchanged.
func (c Class) Retryable() bool {
	return c == ClassTransient || c == ClassThrottled || c == ClassNotReady
}

// Error is a Graph API error answer (or an answer that could not be read).
type Error struct {
	Endpoint    string // low-cardinality endpoint label, e.g. "page_feed_post"
	Code        int
	Subcode     int
	Type        string
	Message     string
	UserTitle   string
	UserMsg     string
	FBTraceID   string
	IsTransient bool
	HTTPStatus  int
	Class       Class
	// RetryAfter is how long to wait before retrying (throttled errors).
	RetryAfter time.Duration
	// Permission names the missing permission(s), comma-separated, when known.
	Permission string
	// Metric names the rejected insights metric(s) for ClassRetiredMetric, when known.
	Metric string
	// Uncertain is set when the answer does not show whether the action
	// happened: any HTTP 5xx, code 1 or 2, or is_transient answer to a
	// write (Meta sometimes performs a write and still answers so).
	Uncertain bool
	// Usage holds the usage headers sent with the error answer.
	Usage Usage
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("meta: ")
	if e.Endpoint != "" {
		b.WriteString(e.Endpoint)
		b.WriteString(": ")
	}
	b.WriteString(e.Message)
	fmt.Fprintf(&b, " (code %d", e.Code)
	if e.Subcode != 0 {
		fmt.Fprintf(&b, ", subcode %d", e.Subcode)
	}
	fmt.Fprintf(&b, ", http %d, class %s", e.HTTPStatus, e.Class)
	if e.Metric != "" {
		fmt.Fprintf(&b, ", metric %s", e.Metric)
	}
	if e.Permission != "" {
		fmt.Fprintf(&b, ", permission %s", e.Permission)
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, ", retry after %s", e.RetryAfter)
	}
	if e.FBTraceID != "" {
		fmt.Fprintf(&b, ", fbtrace_id %s", e.FBTraceID)
	}
	b.WriteString(")")
	return b.String()
}

// NetError is a transport failure: no Graph answer was read.
type NetError struct {
	Endpoint string
	Method   string
	// Sent is true when the request was (at least partly) written to the
	// connection, so the server may have acted on it: the outcome is uncertain.
	Sent bool
	// Timeout is true when the call's deadline passed.
	Timeout bool
	Err     error
}

func (e *NetError) Error() string {
	state := "not sent"
	if e.Sent {
		state = "outcome uncertain"
	}
	return fmt.Sprintf("meta: %s: %s %s: %v", e.Endpoint, e.Method, state, e.Err)
}

func (e *NetError) Unwrap() error { return e.Err }

// ClassOf returns the class of err: an *Error's Class, ClassTransient for a
// *NetError, ClassNone for nil and ClassUnknown otherwise.
func ClassOf(err error) Class {
	if err == nil {
		return ClassNone
	}
	var me *Error
	if errors.As(err, &me) {
		return me.Class
	}
	var ne *NetError
	if errors.As(err, &ne) {
		return ClassTransient
	}
	return ClassUnknown
}

// RetryAfterOf returns how long to wait before retrying err (0 if unknown).
func RetryAfterOf(err error) time.Duration {
	var me *Error
	if errors.As(err, &me) {
		return me.RetryAfter
	}
	return 0
}

// IsUncertain reports whether a failed call may nevertheless have taken
// effect on the platform: the request was sent but no answer was read, or
// the answer was a 5xx without a Graph error body. Before repeating a publish
// that failed this way, check the page for the post.
func IsUncertain(err error) bool {
	var ne *NetError
	if errors.As(err, &ne) {
		return ne.Sent
	}
	var me *Error
	if errors.As(err, &me) {
		return me.Uncertain
	}
	return false
}

// IsNotSent reports whether err proves the request never reached the server.
func IsNotSent(err error) bool {
	var ne *NetError
	return errors.As(err, &ne) && !ne.Sent
}

// retiredMetricMessage is the text Meta returns when one metric name is invalid.
const retiredMetricMessage = "must be a valid insights metric"

// Instagram's wordings of a retired or unknown metric: "(#100) metric[N]
// must be one of the following values: ..." (N indexes the metrics asked
// for) and "Starting from version 22 and above, the X metric is no longer
// supported ...".
var (
	igMetricIndexRe = regexp.MustCompile(`metric\[(\d+)\] must be one of the following values`)
	igMetricGoneRe  = regexp.MustCompile(`the ([a-z0-9_]+) metric is no longer supported`)
)

// isRetiredMetricMessage recognises every wording of an invalid metric.
func isRetiredMetricMessage(msg string) bool {
	return strings.Contains(msg, retiredMetricMessage) || igMetricIndexRe.MatchString(msg) || igMetricGoneRe.MatchString(msg)
}

// metricFromMessage names the metric an error message rejects, given the
// metrics the request asked for in order ("" when it does not say).
func metricFromMessage(msg string, asked []string) string {
	if m := igMetricGoneRe.FindStringSubmatch(msg); m != nil {
		return m[1]
	}
	if m := igMetricIndexRe.FindStringSubmatch(msg); m != nil {
		if i, err := strconv.Atoi(m[1]); err == nil && i >= 0 && i < len(asked) {
			return asked[i]
		}
	}
	return ""
}

// IsPolicyBlock reports whether err is a policy block (ClassPolicyBlock),
// and whether it is the posting-rate kind (code 368) that blocks the
// account for hours.
func IsPolicyBlock(err error) (block, postingRate bool) {
	var me *Error
	if !errors.As(err, &me) || me.Class != ClassPolicyBlock {
		return false, false
	}
	return true, me.Code == 368
}

// IsMediaFetchFailure reports a container creation Meta could not fetch
// the media for (code 9004 / subcode 2207052): often intermittent.
func IsMediaFetchFailure(err error) bool {
	var me *Error
	return errors.As(err, &me) && (me.Subcode == 2207052 || me.Code == 9004)
}

// IsReduceData reports Meta's "Please reduce the amount of data you're
// asking for" (code 1): ask for fewer items per page.
func IsReduceData(err error) bool {
	var me *Error
	return errors.As(err, &me) && me.Code == 1 && strings.Contains(strings.ToLower(me.Message), "reduce the amount of data")
}

// IsConvertedBefore reports code 100 / subcode 2108006: the media was
// posted before the account became a business account and has no insights.
func IsConvertedBefore(err error) bool {
	var me *Error
	return errors.As(err, &me) && me.Subcode == 2108006
}

// IsProductTypeMismatch recognises a metric unsuited to a media product
// type, in both of Meta's wordings: "(#100) The Media Insights API does not
// support the X metric for this media product type." and "The 'X' metric
// is not supported for this media product type."
func IsProductTypeMismatch(err error) bool {
	var me *Error
	if !errors.As(err, &me) || me.Code != 100 {
		return false
	}
	m := strings.ToLower(me.Message)
	return strings.Contains(m, "product type") && (strings.Contains(m, "does not support") || strings.Contains(m, "not supported"))
}

var permRe = regexp.MustCompile(`\b(?:pages|instagram|read|publish|business|ads|manage|user|public)_[a-z_]+\b`)

// classify sets Class, Permission and RetryAfter from the Graph fields.
func (e *Error) classify() {
	msg := e.Message
	switch {
	case e.Code == 190 || e.Code == 102 || e.Code == 104 || e.Code == 101 || strings.Contains(msg, "appsecret_proof") ||
		strings.Contains(msg, "Error validating application"):
		// A bad, expired or revoked token, or a token of another app
		// (its appsecret_proof cannot match ours): reconnect.
		e.Class = ClassAuth
	case e.Code == 368 || (e.Code == 4 && e.Subcode == 2207051):
		e.Class = ClassPolicyBlock
	case e.Code == 10 && strings.Contains(msg, "Not enough viewers"):
		e.Class = ClassInvalid
	case e.Code == 10 || (e.Code >= 200 && e.Code <= 299):
		e.Class = ClassPermission
		e.Permission = strings.Join(uniq(permRe.FindAllString(msg, -1)), ",")
	case e.Code == 506:
		e.Class = ClassDuplicate
	case e.Code == 9 || e.Subcode == 2207042:
		e.Class = ClassQuota
	case e.Code == 9007 || e.Subcode == 2207027:
		e.Class = ClassNotReady
	case e.Code == 100 && isRetiredMetricMessage(msg):
		e.Class = ClassRetiredMetric
		e.Metric = metricFromMessage(msg, nil)
	case e.Code == 4 || e.Code == 17 || e.Code == 32 || e.Code == 341 || e.Code == 613 ||
		(e.Code >= 80000 && e.Code <= 80014):
		e.Class = ClassThrottled
	case e.Code == 1 || e.Code == 2 || e.IsTransient ||
		e.Subcode == 2207001 || e.Subcode == 2207003 || e.Subcode == 2207008 || e.Subcode == 2207032:
		e.Class = ClassTransient
	case e.Code == 0 && e.HTTPStatus >= 500:
		e.Class = ClassTransient
	case e.Code == 100 || e.Code == 3 || e.Code == 3001 || e.Code == 352 || e.Code == 1609005 ||
		(e.Code >= 9000 && e.Code < 9100) || (e.Code >= 36000 && e.Code <= 36010) || e.Code == 24 || e.Code == 25 ||
		e.Code == -2 || e.Code == -1:
		e.Class = ClassInvalid
	default:
		e.Class = ClassUnknown
	}
	if e.Class == ClassThrottled {
		e.RetryAfter = throttleWait(e.Usage)
	}
}

// throttleWait derives the wait from the usage headers: the largest
// estimated_time_to_regain_access, else 10 minutes when a usage figure is at
// or past 100%, else one minute.
func throttleWait(u Usage) time.Duration {
	if d := u.RegainAfter(); d > 0 {
		return d
	}
	if u.MaxPercent() >= 100 {
		return 10 * time.Minute
	}
	return time.Minute
}

func uniq(in []string) []string {
	seen := map[string]bool{}
	out := in[:0]
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// isCtxErr reports whether err comes from a cancelled or expired context.
func isCtxErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}
