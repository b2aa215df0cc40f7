package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/reportmail"
	"github.com/humas-id/humas/valid"
)

type subscriptionsData struct {
	Units         []org.Unit
	UnitNames     map[int64]string
	Subs          []reportmail.Subscription
	Deliveries    []reportmail.Delivery
	Form          reportmail.Subscription
	FieldErr      map[string]string
	MailMissing   bool
	Unavailable   string
	DefaultUnitID int64
}

// visibleUnitIDs are the units p sees (nil: every unit, for an admin).
func (h *Handler) visibleUnitIDs(c *gin.Context) ([]int64, []org.Unit, error) {
	s, _ := session(c)
	units, err := h.d.Scope.VisibleUnits(c.Request.Context(), s.Principal)
	if err != nil {
		return nil, nil, err
	}
	if s.Principal.Role == auth.RoleAdmin {
		return nil, units, nil
	}
	ids := []int64{}
	for _, u := range units {
		ids = append(ids, u.ID)
	}
	return ids, units, nil
}

func (h *Handler) subscriptionsPage(c *gin.Context) {
	h.renderSubscriptions(c, http.StatusOK, reportmail.Subscription{}, map[string]string{})
}

func (h *Handler) renderSubscriptions(c *gin.Context, status int, form reportmail.Subscription, fieldErr map[string]string) {
	l := h.l(c)
	s, _ := session(c)
	d := subscriptionsData{Form: form, FieldErr: fieldErr, UnitNames: map[int64]string{}, DefaultUnitID: s.Principal.UnitID}
	ids, units, err := h.visibleUnitIDs(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	d.Units = units
	for _, u := range units {
		d.UnitNames[u.ID] = u.Name
	}
	if d.Form.UnitID == 0 {
		d.Form.UnitID = s.Principal.UnitID
	}
	if d.Form.Frequency == "" {
		d.Form.Frequency = reportmail.Monthly
	}
	if d.Form.Lang == "" {
		d.Form.Lang = string(l.Lang)
	}
	if h.d.Subscriptions == nil {
		d.Unavailable = l.T("err.unavailable", "reports")
	} else {
		d.MailMissing = !h.d.Subscriptions.MailConfigured()
		ctx := c.Request.Context()
		if d.Subs, err = h.d.Subscriptions.Subscriptions(ctx, ids); err != nil {
			h.fail(c, err)
			return
		}
		if d.Deliveries, err = h.d.Subscriptions.Deliveries(ctx, ids, 100); err != nil {
			h.fail(c, err)
			return
		}
	}
	v := h.view(c, l.T("sub.title"), "report", d)
	if len(fieldErr) > 0 {
		v.Error = l.T("form.errors")
	}
	h.render(c, status, "subscriptions", v)
}

func (h *Handler) subscribe(c *gin.Context) {
	l := h.l(c)
	s, _ := session(c)
	if h.d.Subscriptions == nil {
		h.errorPage(c, http.StatusServiceUnavailable, l.T("err.unavailable", "reports"))
		return
	}
	in := reportmail.Subscription{UnitID: parseID(c.PostForm("unit")), Email: c.PostForm("email"), Name: c.PostForm("name"),
		Frequency: c.PostForm("frequency"), Lang: c.PostForm("lang"), CreatedBy: s.Principal.UserID}
	if in.UnitID != 0 {
		if _, err := h.d.Scope.ScopeUnit(c.Request.Context(), s.Principal, in.UnitID); err != nil {
			h.scopeError(c, err)
			return
		}
	}
	if _, err := h.d.Subscriptions.Subscribe(c.Request.Context(), in); err != nil {
		var ve valid.Errors
		if !errors.As(err, &ve) {
			h.fail(c, err)
			return
		}
		fe := map[string]string{}
		for _, e := range ve {
			fe[e.Field] = l.Pick(e.MessageID, e.Message)
		}
		h.renderSubscriptions(c, http.StatusUnprocessableEntity, in, fe)
		return
	}
	c.Redirect(http.StatusSeeOther, "/report/subscriptions?ok=sub.added")
}

// subscriptionInScope reads a subscription the user may change.
func (h *Handler) subscriptionInScope(c *gin.Context, id int64) (reportmail.Subscription, bool) {
	s, _ := session(c)
	sub, err := h.d.Subscriptions.Subscription(c.Request.Context(), id)
	if errors.Is(err, reportmail.ErrNotFound) {
		h.errorPage(c, http.StatusNotFound, h.l(c).T("err.notfound"))
		return sub, false
	}
	if err != nil {
		h.fail(c, err)
		return sub, false
	}
	if _, err := h.d.Scope.ScopeUnit(c.Request.Context(), s.Principal, sub.UnitID); err != nil {
		h.scopeError(c, err)
		return sub, false
	}
	return sub, true
}

func (h *Handler) unsubscribe(c *gin.Context) {
	if h.d.Subscriptions == nil {
		h.errorPage(c, http.StatusServiceUnavailable, h.l(c).T("err.unavailable", "reports"))
		return
	}
	sub, ok := h.subscriptionInScope(c, parseID(c.Param("id")))
	if !ok {
		return
	}
	if err := h.d.Subscriptions.Unsubscribe(c.Request.Context(), sub.ID); err != nil {
		h.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/report/subscriptions?ok=sub.removed")
}

func (h *Handler) retryDelivery(c *gin.Context) {
	l := h.l(c)
	s, _ := session(c)
	if h.d.Subscriptions == nil {
		h.errorPage(c, http.StatusServiceUnavailable, l.T("err.unavailable", "reports"))
		return
	}
	d, err := h.d.Subscriptions.Delivery(c.Request.Context(), parseID(c.Param("id")))
	if errors.Is(err, reportmail.ErrNotFound) {
		h.errorPage(c, http.StatusNotFound, l.T("err.notfound"))
		return
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	if _, err := h.d.Scope.ScopeUnit(c.Request.Context(), s.Principal, d.UnitID); err != nil {
		h.scopeError(c, err)
		return
	}
	if err := h.d.Subscriptions.Retry(c.Request.Context(), d.ID); err != nil {
		if errors.Is(err, reportmail.ErrNotFound) {
			h.errorPage(c, http.StatusConflict, l.T("sub.notfailed", strconv.FormatInt(d.ID, 10)))
			return
		}
		h.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/report/subscriptions?ok=sub.retried")
}
