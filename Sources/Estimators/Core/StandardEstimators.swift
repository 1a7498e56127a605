/// The standard catalog's contents. Each estimator and trained-model type adds itself here.
enum StandardEstimators {
    static let estimators: [any Estimator.Type] = [
        LinearRegression.self,
        Ridge.self,
        Lasso.self,
        ElasticNet.self,
        LogisticRegression.self,
        KNeighborsRegressor.self,
        KNeighborsClassifier.self,
        GaussianNB.self,
    ]

    static let models: [any PersistableModel.Type] = [
        LinearModel.self,
        LogisticModel.self,
        KNeighborsRegressorModel.self,
        KNeighborsClassifierModel.self,
        GaussianNBModel.self,
    ]
}
