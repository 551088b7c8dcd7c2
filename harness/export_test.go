package harness

import "context"

// EnsureFlowControlBootstrap runs the APF bootstrap ensurer once, as Start
// does every minute.
func (s *Server) EnsureFlowControlBootstrap(ctx context.Context) error {
	return s.apfBootstrap.ensure(ctx)
}
