"""Recovery runbooks: parameters, policy, the prepared call, the backend that runs it, verification."""
