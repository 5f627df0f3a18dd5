"""Cart, orders, stock allocation, payments and documents."""
