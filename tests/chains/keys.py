"""Well-known test keys (never funded on a real network), so tests need no
derivation of their own: BIP39 "abandon ... about" exported the way an
operator would export account keys (see docs/chains.md)."""

TEST_MNEMONIC = ("abandon abandon abandon abandon abandon abandon abandon abandon "
                 "abandon abandon abandon about")
# m/44'/60'/0': EVM deposit addresses m/44'/60'/0'/0/i.
EVM_ACCOUNT_XPUB = ("xpub6DCoCpSuQZB2jawqnGMEPS63ePKWkwWPH4TU45Q7LPXWuNd8TMtVxRrgjtEshuqp"
                    "K3mdhaWHPFsBngh5GFZaM6si3yZdUsT8ddYM3PwnATt")
# m/84'/0'/0' (main net, BIP84's published vector) and m/84'/1'/0' (test nets, regtest).
BTC_ZPUB = ("zpub6rFR7y4Q2AijBEqTUquhVz398htDFrtymD9xYYfG1m4wAcvPhXNfE3EfH1r1"
            "ADqtfSdVCToUG868RvUUkgDKf31mGDtKsAYz2oz2AGutZYs")
BTC_VPUB = ("vpub5Y6cjg78GGuNLsaPhmYsiw4gYX3HoQiRBiSwDaBXKUafCt9bNwWQiitDk5VZ5BV"
            "xYnQdwoTyXSs2JHRPAgjAvtbBrf8ZhDYe2jWAqvZVnsc")
# A Bitcoin hot-wallet key for regtest (hex private key).
BTC_HOT_KEY = "22" * 32
