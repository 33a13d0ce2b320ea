"""Hub88's Operator Wallet API: /user/info, /user/balance, /transaction/{bet,win,rollback}."""
