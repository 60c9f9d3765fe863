"""CDRs module: Sender (CPO) and Receiver (eMSP) interfaces."""
