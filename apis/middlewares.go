package apis

import (
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
)

// bindMiddlewares adds the middlewares every route gets.
func bindMiddlewares(r *router.Router[*core.RequestEvent]) {
	r.BindFunc(securityHeaders)
	r.Bind(chineseErrors)
	r.Bind(rateLimitChinese)
	r.Bind(listHintsHandler)
}

// securityHeaders adds the hardening headers PocketBase v0.39 lacks.
func securityHeaders(e *core.RequestEvent) error {
	e.Response.Header().Set("Cross-Origin-Opener-Policy", "same-origin")
	e.Response.Header().Set("X-Content-Type-Options", "nosniff")
	return e.Next()
}
