package web

import (
	"crypto/subtle"
	"fmt"
	"net/http"
	"strings"

	"github.com/taghtia/taghtia/planner"
)

// Roles a token may hold (MISSION "Users and what each may do"): an
// engineer makes every change; an operator uploads its own network's
// files and moves the zones and sites assigned to it to works_started and
// in_service (with evidence) and comments on them; a region's authority
// comments on the zones and sites of its region. Without a token the API
// is read only.

// role is the token's effective role: operator when it names an operator
// and no role, else engineer.
func (t Token) role() planner.Role {
	switch {
	case t.Role != "":
		return planner.Role(t.Role)
	case t.Operator != "":
		return planner.RoleOperator
	}
	return planner.RoleEngineer
}

// checkRole says what is inconsistent in a token's role fields.
func (t Token) checkRole() error {
	switch planner.Role(t.Role) {
	case "":
		if t.Region != "" {
			return fmt.Errorf("region %q needs role: region", t.Region)
		}
	case planner.RoleEngineer:
		if t.Operator != "" || t.Region != "" {
			return fmt.Errorf("an engineer's token names no operator or region")
		}
	case planner.RoleOperator:
		if t.Operator == "" || t.Region != "" {
			return fmt.Errorf("an operator's token names its operator (604-NN) and no region")
		}
	case planner.RoleRegion:
		if t.Region == "" || t.Operator != "" {
			return fmt.Errorf("a region's token names its region code (region:) and no operator")
		}
	default:
		return fmt.Errorf("role %q is not one of engineer, operator, region", t.Role)
	}
	return nil
}

// actor is who a token speaks for.
func (t Token) actor() planner.Actor {
	return planner.Actor{Name: t.Name, Role: t.role(), Operator: t.Operator, Region: t.Region}
}

func unauthenticated(msg string) error {
	return &Error{Status: http.StatusUnauthorized, Code: "unauthenticated", Message: msg}
}

func forbidden(msg string) error {
	return &Error{Status: http.StatusForbidden, Code: "forbidden", Message: msg}
}

// authenticate finds the token a request sends as Authorization: Bearer
// TOKEN, comparing in constant time. Errors: 401 unauthenticated.
func authenticate(tokens []Token, r *http.Request) (Token, error) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || tok == "" {
		return Token{}, unauthenticated("send the token as Authorization: Bearer TOKEN")
	}
	for _, t := range tokens {
		if subtle.ConstantTimeCompare([]byte(t.Token), []byte(tok)) == 1 {
			return t, nil
		}
	}
	return Token{}, unauthenticated("unknown token")
}

// callerToken returns the token a request sends, if any: ok is false for
// a request without Authorization (the public); an unknown token is 401.
func (s *Server) callerToken(r *http.Request) (tok Token, ok bool, err error) {
	if r.Header.Get("Authorization") == "" {
		return Token{}, false, nil
	}
	tok, err = authenticate(s.tokens, r)
	return tok, err == nil, err
}
