print("pinn")
