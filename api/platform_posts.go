package api

import (
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/humas-id/humas/auth"
)

// mountPlatformPosts adds PATCH /platform-posts/:platform/:id: an editor
// (or above) of the post's unit or a unit above it corrects the content
// type of a post found on a channel or published through humas; past and
// future reports use the new type.
func mountPlatformPosts(g *gin.RouterGroup, h collectHandlers) {
	g.PATCH("/platform-posts/:platform/:id", RequireRole(auth.RoleAdmin, auth.RoleApprover, auth.RoleEditor), Handle(h.setContentType))
}

type contentTypeRequest struct {
	ContentType string `json:"content_type"`
}

func (h collectHandlers) setContentType(c *gin.Context) (any, error) {
	var req contentTypeRequest
	if err := bindJSON(c, &req); err != nil {
		return nil, err
	}
	req.ContentType = strings.TrimSpace(req.ContentType)
	// Only a user of the post's unit or a unit above it corrects it.
	unit, err := h.svc.PostUnit(c.Request.Context(), c.Param("platform"), c.Param("id"))
	if err != nil {
		return nil, err
	}
	if err := h.scope.CheckUnit(c.Request.Context(), Principal(c), unit); err != nil {
		return nil, err
	}
	out, err := h.svc.SetContentType(c.Request.Context(), c.Param("platform"), c.Param("id"), req.ContentType, Principal(c))
	if err != nil {
		return nil, err
	}
	return out, nil
}
