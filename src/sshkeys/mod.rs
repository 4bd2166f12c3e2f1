//! The SSH key store (helper B).
