package web

import (
	"net/http"

	"github.com/taghtia/taghtia/planner"
)

// operatorScope says whether the caller is bound to one operator (an
// operator's token), and which: such a caller sees only its own network's
// disputes. No token (the public) and other roles are not bound; an
// unknown token is 401.
func (s *Server) operatorScope(r *http.Request) (string, bool, error) {
	tok, ok, err := s.callerToken(r)
	if err != nil || !ok {
		return "", false, err
	}
	if tok.role() == planner.RoleOperator {
		return tok.Operator, true, nil
	}
	return "", false, nil
}
